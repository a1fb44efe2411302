using System.Diagnostics;

namespace Drogulus.IdleBenchmark;

/// <summary>
/// A measured child process: its standard output is read line by line (so that it never blocks on a full pipe)
/// and the first line that a caller waits for is handed over; standard input stays open until disposal, when
/// it is closed (the baselines exit on that) and the process gets SIGTERM, then a kill after 30 s.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(double Seconds, double CpuSeconds)> _arrivals = [];
    private readonly Stopwatch _sinceStart;
    private readonly object _gate = new();

    private ChildProcess(string name, Process process, Stopwatch sinceStart)
    {
        Name = name;
        _process = process;
        _sinceStart = sinceStart;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public static ChildProcess Start(string name, string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var sinceStart = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        var child = new ChildProcess(name, process, sinceStart);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data is null ? null : "stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The first output line that starts with <paramref name="prefix"/>, within <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
            {
                if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        string output;
        lock (_gate)
        {
            output = string.Join('\n', _lines.TakeLast(20));
        }

        throw new InvalidOperationException($"{Name} printed no line starting with '{prefix}' in {timeout.TotalSeconds} s:\n{output}");
    }

    /// <summary>
    /// When the first output line that starts with <paramref name="prefix"/> arrived: seconds since the process
    /// was started and the CPU time it had used by then (start-up cost: the runtime, the JIT, the node's own).
    /// </summary>
    public (double Seconds, double CpuSeconds)? Arrival(string prefix)
    {
        lock (_gate)
        {
            var i = _lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return i >= 0 ? _arrivals[i] : null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.HasExited)
            {
                Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            }

            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        var arrival = (_sinceStart.Elapsed.TotalSeconds, ProcessSample.CpuSecondsOf(_process.Id));
        lock (_gate)
        {
            // Only the first lines matter (the ready lines); a chatty child must not grow this for ever.
            if (_lines.Count < 1000)
            {
                _lines.Add(line);
                _arrivals.Add(arrival);
            }
        }
    }
}
