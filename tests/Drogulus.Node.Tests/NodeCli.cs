using System.Diagnostics;
using System.Text;

namespace Drogulus.Node.Tests;

/// <summary>What one finished <c>drogulus-node</c> command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}; stdout: {StandardOutput}; stderr: {StandardError}";
}

/// <summary>Runs the built <c>drogulus-node.dll</c> as a child process, the passphrase in its environment.</summary>
internal static class NodeCli
{
    public const string Passphrase = "correct horse battery staple";

    /// <summary>A guard against a hung child only; nothing is asserted about time.</summary>
    public static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(180); // a start under load 100 once took over 60 s

    /// <summary>
    /// The node's build output: tests/Drogulus.Node.Tests/bin/Config/tfm/ becomes samples/Drogulus.Node/bin/Config/tfm/.
    /// This project builds it through a ProjectReference.
    /// </summary>
    public static string Dll { get; } = FindDll();

    public static ProcessStartInfo StartInfo(string passphrase, IEnumerable<string> args) => StartInfo(passphrase, args, []);

    /// <summary>
    /// The command run under <paramref name="wrapper"/> when it is not empty: a program and its arguments that exec the
    /// rest (e.g. <c>prlimit --nofile=512:512 --</c>), so the process id stays the node's.
    /// </summary>
    public static ProcessStartInfo StartInfo(string passphrase, IEnumerable<string> args, IReadOnlyList<string> wrapper)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["DROGULUS_PASSPHRASE"] = passphrase;
        if (wrapper.Count > 0)
        {
            foreach (var arg in wrapper.Skip(1))
            {
                start.ArgumentList.Add(arg);
            }

            start.ArgumentList.Add(dotnet);
        }

        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunWithPassphraseAsync(Passphrase, args);

    public static Task<CliResult> RunWithPassphraseAsync(string passphrase, params string[] args) => RunAsync(passphrase, null, args);

    /// <summary>Runs a command with <paramref name="input"/> written to its standard input, which is then closed.</summary>
    public static Task<CliResult> RunWithInputAsync(byte[] input, params string[] args) => RunAsync(Passphrase, input, args);

    private static async Task<CliResult> RunAsync(string passphrase, byte[]? input, string[] args)
    {
        using var guard = new CancellationTokenSource(SafetyTimeout);
        using var process = Process.Start(StartInfo(passphrase, args)) ?? throw new InvalidOperationException("drogulus-node did not start.");
        try
        {
            if (input is not null)
            {
                // The command may stop reading early (a value over max-item-size): a broken pipe is its answer.
                try
                {
                    await process.StandardInput.BaseStream.WriteAsync(input, guard.Token);
                    await process.StandardInput.BaseStream.FlushAsync(guard.Token);
                }
                catch (IOException)
                {
                }
            }

            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            var stdout = process.StandardOutput.ReadToEndAsync(guard.Token);
            var stderr = process.StandardError.ReadToEndAsync(guard.Token);
            await process.WaitForExitAsync(guard.Token);
            return new CliResult(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Creates the identity and publisher key of a new data directory.</summary>
    public static async Task KeygenAsync(string dataDirectory)
    {
        var result = await RunAsync("keygen", "--data", dataDirectory);
        Assert.True(result.ExitCode == 0, "keygen failed: " + result);
    }

    /// <summary>The one line a failed command prints on stderr, after checking that it failed in the documented way.</summary>
    public static string SingleErrorLine(CliResult result)
    {
        Assert.True(result.ExitCode == 1, "expected exit code 1: " + result);
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines).TrimEnd('\r');
        Assert.StartsWith("drogulus-node: ", line, StringComparison.Ordinal);
        Assert.True(line.Length > "drogulus-node: ".Length, "the error line is empty");
        return line;
    }

    private static string FindDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!;
        var dll = Path.Combine(root.FullName, "samples", "Drogulus.Node", "bin", configuration.Name, tfm.Name, "drogulus-node.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"drogulus-node was not built at {dll}.", dll);
    }
}

/// <summary>A fresh directory under the temp folder, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        FullPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "drogulus-node-specs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    public string Child(string name) => System.IO.Path.Combine(FullPath, name);

    public void Dispose()
    {
        if (Directory.Exists(FullPath))
        {
            Directory.Delete(FullPath, recursive: true);
        }
    }
}

/// <summary>
/// A running <c>drogulus-node start</c>: ready once it printed its "listening on" line (after writing control.json).
/// Its output is drained from the start so that it never blocks on a full pipe.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task<string> _errors;
    private readonly Task _drain;
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
        _drain = DrainAsync();
    }

    /// <summary>The peer endpoint the node listens on, host:port.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The port of the control channel on 127.0.0.1.</summary>
    public int ControlPort { get; private set; }

    public int Id => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The port of <see cref="Endpoint"/>.</summary>
    public int Port => int.Parse(Endpoint[(Endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public static Task<NodeProcess> StartAsync(string dataDirectory, params string[] extra) => StartUnderAsync([], dataDirectory, extra);

    /// <summary>Starts the node under <paramref name="wrapper"/> (see <see cref="NodeCli.StartInfo(string, IEnumerable{string}, IReadOnlyList{string})"/>).</summary>
    public static async Task<NodeProcess> StartUnderAsync(IReadOnlyList<string> wrapper, string dataDirectory, params string[] extra)
    {
        // Every node of these specs runs on 127.0.0.1, one address group, where an auto node (the command line's
        // default) can never collect dial-backs from 3 groups and stays a client: they run as servers.
        var args = new List<string> { "start", "--data", dataDirectory, "--listen", "127.0.0.1:0", "--reachability", "server" };
        args.AddRange(extra);
        var node = new NodeProcess(Process.Start(NodeCli.StartInfo(NodeCli.Passphrase, args, wrapper)) ?? throw new InvalidOperationException("drogulus-node did not start."));
        try
        {
            var line = await node._listening.Task.WaitAsync(NodeCli.SafetyTimeout);
            // listening on 127.0.0.1:40449; control channel on 127.0.0.1:37665; Ctrl-C stops it
            var parts = line.Split(';');
            node.Endpoint = parts[0]["listening on ".Length..].Trim();
            node.ControlPort = int.Parse(parts[1][(parts[1].LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: the process gets no chance to save or flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(NodeCli.SafetyTimeout);
    }

    /// <summary>SIGTERM, the way a service manager stops the node; returns its exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync().WaitAsync(NodeCli.SafetyTimeout);
            Assert.Equal(0, kill.ExitCode);
        }

        await _process.WaitForExitAsync().WaitAsync(NodeCli.SafetyTimeout);
        return _process.ExitCode;
    }

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(NodeCli.SafetyTimeout);
            await Task.WhenAll(_drain, _errors).WaitAsync(NodeCli.SafetyTimeout);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task DrainAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (line.StartsWith("listening on ", StringComparison.Ordinal))
            {
                _listening.TrySetResult(line);
            }
        }

        _listening.TrySetException(new InvalidOperationException($"drogulus-node exited before listening: {Output()} {await _errors}"));
    }
}
