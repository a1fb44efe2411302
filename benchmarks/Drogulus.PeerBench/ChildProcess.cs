using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Drogulus.PeerBench;

/// <summary>
/// The parent's handle on one child process (<see cref="ChildHost"/>): starts <c>dotnet &lt;this dll&gt; --child</c>
/// with stdin and stdout piped, sends requests as JSON lines and matches the answers by id, several in flight.
/// The child stops when its stdin closes, so it ends with the parent even when the parent is killed;
/// <see cref="DisposeAsync"/> closes stdin, waits a little and then kills it.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly TaskCompletionSource<ChildReady> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly TimeSpan _ceiling;
    private long _nextId;

    private ChildProcess(Process process, int first, TimeSpan ceiling)
    {
        _process = process;
        First = first;
        _ceiling = ceiling;
        _ = Task.Run(ReadAnswers);
    }

    /// <summary>The index in the whole network of the child's first node.</summary>
    public int First { get; }

    /// <summary>The child's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts a child hosting nodes <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1.</summary>
    public static ChildProcess Start(int first, int count, int maxConnections, int seed, TimeSpan timeout, string extraHocon)
    {
        var info = new ProcessStartInfo { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        var host = Environment.ProcessPath ?? "dotnet";
        info.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in new[]
                 {
                     "--child", "--first", Text(first), "--count", Text(count), "--max-connections", Text(maxConnections),
                     "--seed", Text(seed), "--timeout", Text((int)timeout.TotalSeconds), "--hocon", extraHocon,
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a child process");
        process.StandardInput.AutoFlush = true;
        // A request answers within the node's Ask timeout; the ceiling only guards against a child that died.
        return new ChildProcess(process, first, timeout + TimeSpan.FromSeconds(60));
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The ready line, once the child's nodes are up (they have not joined yet).</summary>
    public Task<ChildReady> Ready => _ready.Task;

    /// <summary>Sends one request (its id is set here) and returns the answer's body.</summary>
    public async Task<T> Call<T>(ChildRequest request)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await _writing.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request with { Id = id }));
        }
        finally
        {
            _writing.Release();
        }

        var body = await answer.Task.WaitAsync(_ceiling);
        return body.Deserialize<T>() ?? throw new InvalidDataException($"empty answer to {request.Op}");
    }

    /// <summary>The child's resident size now, from /proc/&lt;pid&gt;/status VmRSS, in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private async Task ReadAnswers()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(ChildHost.ReplyMark, StringComparison.Ordinal))
                {
                    var reply = JsonSerializer.Deserialize<ChildReply>(line[ChildHost.ReplyMark.Length..])!;
                    if (_pending.TryRemove(reply.Id, out var answer))
                    {
                        _ = reply.Body is { } body ? answer.TrySetResult(body) : answer.TrySetException(new InvalidOperationException($"child {Pid}: {reply.Error}"));
                    }
                }
                else if (line.StartsWith(ChildHost.ReadyMark, StringComparison.Ordinal))
                {
                    _ready.TrySetResult(JsonSerializer.Deserialize<ChildReady>(line[ChildHost.ReadyMark.Length..])!);
                }
                else
                {
                    Console.Error.WriteLine($"[child {Pid}] {line}");
                }
            }
        }
        finally
        {
            var gone = new InvalidOperationException($"child process {Pid} closed its output");
            _ready.TrySetException(gone);
            foreach (var id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out var answer))
                {
                    answer.TrySetException(gone);
                }
            }
        }
    }

    /// <summary>Closes the child's stdin (it stops its nodes and exits), and kills it if it has not exited after 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            Kill();
        }

        _process.Dispose();
        _writing.Dispose();
    }

    /// <summary>Kills the child now (the parent's way out on a crash or a signal).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }
}
