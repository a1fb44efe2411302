using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using Drogulus.Actors.Network;
using Drogulus.Actors.Tests.Network.Tls;
using Drogulus.Core.Wire;
using Xunit.Abstractions;

namespace Drogulus.Node.Tests;

/// <summary>
/// Issue 9, item 1: a <c>drogulus-node</c> process flooded with connections stays inside its open-file limit, so
/// <c>accept</c> never fails with EMFILE. Real descriptors, a real limit (<c>prlimit</c>) and real <c>accept</c> calls
/// on 127.0.0.1; nothing is simulated. Linux only (<c>/proc</c>, <c>prlimit</c>). Surviving real EMFILE is not
/// specified here: in about one run in five the .NET runtime itself aborts ("Out of memory.") when a thread it
/// starts gets no descriptor, whatever the node does; so the budget must prevent it.
/// </summary>
public sealed class DescriptorExhaustionTests(ITestOutputHelper output) : IDisposable
{
    private const string Prlimit = "/usr/bin/prlimit";

    /// <summary>A guard against a node that never recovers; nothing is asserted about time.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(300); // 30 s, then 120 s, ran out under stress-ng

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>
    /// The budget path: a node started under a small open-file limit (<c>prlimit --nofile=1024:1024</c>, the usual default; default settings)
    /// keeps its connections inside it (ulimit minus the ~230 descriptors .NET holds minus descriptor-reserve, at most a
    /// quarter of the limit), so a flood of raw TCP connections is met by closing the idlest and accept never fails
    /// with EMFILE: no TooManyOpenSockets line, the process alive, a connected peer answered, new peers accepted after.
    /// </summary>
    [Fact]
    public async Task Node_should_stay_inside_a_small_open_file_limit_when_flooded_with_connections()
    {
        const int limit = 1024;
        var data = _directory.Child("node");
        await NodeCli.KeygenAsync(data);
        await using var node = await NodeProcess.StartUnderAsync([Prlimit, $"--nofile={limit}:{limit}", "--"], data);
        Assert.Contains($"Max open files            {limit}", await File.ReadAllTextAsync($"/proc/{node.Id}/limits"), StringComparison.Ordinal);
        await using var peer = await Peer.StartAsync(node.Port);
        await peer.PingAsync();

        using var peak = new PeakSampler(node.Id);
        var flood = await FloodAsync(node.Port, 800);
        var closedByNode = 0;
        try
        {
            // Flood connections are accepted and, idle, closed to make room (max-connections 256) or at
            // handshake-timeout: more closed than max-connections means the node went past its budget. Those beyond
            // the listen backlog wait for the kernel's SYN-ACK retries (or are dropped). The peer is answered meanwhile.
            var settled = Stopwatch.StartNew();
            await UntilAsync(
                async () =>
                {
                    await peer.PingAsync();
                    // Only the connections that got through within their 5 s connect timeout are in the flood; when 256
                    // or fewer did, the event is that the node closed all of them (at hello-timeout), not 257. A connection
                    // the kernel dropped from a full accept queue looks connected here but never reaches the node (its
                    // SYN-ACK retries end in silence), so the flood is also over once the node holds none of it: its
                    // descriptors back near its own and no flood connection closed for 20 s.
                    var closed = flood.Count(ClosedByPeer);
                    if (closed != closedByNode || OpenDescriptors(node.Id) > 300)
                    {
                        settled.Restart();
                    }

                    closedByNode = closed;
                    return closedByNode > 256 || closedByNode == flood.Count || settled.Elapsed > TimeSpan.FromSeconds(20);
                },
                () => $"{closedByNode} of {flood.Count} flood connections closed by the node, {OpenDescriptors(node.Id)} descriptors open, node exited: {node.HasExited}; its last warnings: "
                    + string.Join(" | ", LogLines(data).Where(l => l.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal)).TakeLast(6).Select(l => l.Length > 240 ? l[..240] : l)));
            Assert.False(node.HasExited, "the node exited: " + node.Output());
        }
        finally
        {
            CloseAll(flood);
        }

        await using var newcomer = await ConnectWhenAcceptedAsync(node.Port);
        await peer.PingAsync();
        var status = await NodeCli.RunAsync("status", "--data", data);
        // The node answers (exit code 1 is "could not ask"): healthy and alone (0) before the peer's ping made it a
        // contact, unhealthy (2) after, as no contact has answered a request of this node yet.
        Assert.True(status.ExitCode is 0 or 2 && status.StandardOutput.Contains("\"transportBound\": true", StringComparison.Ordinal), "status failed: " + status);

        var lines = LogLines(data);
        output.WriteLine($"limit {limit}; peak {peak.Peak} descriptors; {flood.Count} flood connections, {closedByNode} closed by the node; peer reconnects {peer.Reconnects}; {lines.Count(l => l.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal))} warning lines");
        foreach (var line in lines.Where(l => l.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal)).Take(12))
        {
            output.WriteLine(line.Length > 300 ? line[..300] : line);
        }

        Assert.DoesNotContain(lines, IsAcceptRetry);
        // Half the reserve (a quarter of the limit, 256) stays free: with Akka.IO's default listen backlog (1024) the
        // accept burst alone took the node to 900-1023 descriptors.
        Assert.InRange(peak.Peak, 1, limit - 128);
        Assert.False(node.HasExited, "the node exited: " + node.Output());
    }

    private static bool IsAcceptRetry(string line) => line.Contains("TooManyOpenSockets", StringComparison.Ordinal);

    /// <summary>Each line of the node's JSON log file (there is one file a day).</summary>
    private static string[] LogLines(string data)
    {
        var lines = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(data, "logs")))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines.ToArray();
    }

    private static int OpenDescriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>Opens up to <paramref name="count"/> TCP connections at once and holds them; some may not get through.</summary>
    private static async Task<List<Socket>> FloodAsync(int port, int count)
    {
        var attempts = Enumerable.Range(0, count).Select(async _ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cts.Token);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                return null;
            }
        });
        var sockets = (await Task.WhenAll(attempts)).OfType<Socket>().ToList();
        Assert.NotEmpty(sockets);
        return sockets;
    }

    /// <summary>Whether the node closed (or reset) this connection.</summary>
    private static bool ClosedByPeer(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static void CloseAll(List<Socket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>A new peer, tried until the node accepts it and answers its ping (the deadline only guards a hang).</summary>
    private static async Task<Peer> ConnectWhenAcceptedAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var peer = await Peer.StartAsync(port);
                await peer.PingAsync();
                return peer;
            }
            catch (Exception e) when (Peer.IsClosed(e) && deadline.Elapsed < Deadline)
            {
                await Task.Delay(50); // polling: the listener may be paused for rebind.min-backoff
            }
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, Func<string>? state = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Deadline, $"the condition did not hold within {Deadline}{(state is null ? "" : ": " + state())}");
        }
    }

    /// <summary>
    /// A well-behaved peer: one TLS connection that pings and reads the pong, and connects again when the node closed it
    /// (PROTOCOL §5 lets a node close an idle connection to stay in budget; a peer then opens a new one).
    /// </summary>
    private sealed class Peer : IAsyncDisposable
    {
        private readonly int _port;
        private readonly NodeIdentity _identity = NodeIdentity.Generate(DateTimeOffset.UtcNow);
        private RawTlsClient? _connection;
        private int _pings;

        private Peer(int port) => _port = port;

        public int Reconnects { get; private set; }

        public static async Task<Peer> StartAsync(int port)
        {
            // Connects as PingAsync reconnects: on a busy machine the node's first handshake, in a process that has
            // not yet run its TLS code, once took longer than handshake-timeout and the node closed it.
            var peer = new Peer(port);
            var deadline = Stopwatch.StartNew();
            while (peer._connection is null)
            {
                try
                {
                    peer._connection = await RawTlsClient.ConnectAsync(port, peer._identity);
                }
                catch (Exception e) when (IsClosed(e) && deadline.Elapsed < Deadline)
                {
                    peer.Reconnects++;
                }
            }

            return peer;
        }

        public static bool IsClosed(Exception e) => e is IOException or SocketException or AuthenticationException or OperationCanceledException;

        /// <summary>A ping answered, on a new connection if the node had closed this one.</summary>
        public async Task PingAsync()
        {
            try
            {
                await PingOnceAsync(_connection!);
            }
            catch (Exception e) when (IsClosed(e))
            {
                await _connection!.DisposeAsync();
                _connection = null;
                Reconnects++;
                var deadline = Stopwatch.StartNew();
                while (_connection is null)
                {
                    try
                    {
                        _connection = await RawTlsClient.ConnectAsync(_port, _identity);
                    }
                    catch (Exception again) when (IsClosed(again) && deadline.Elapsed < Deadline)
                    {
                        await Task.Delay(50); // polling: the listener may be paused for rebind.min-backoff
                    }
                }

                await PingOnceAsync(_connection);
            }
        }

        /// <summary>Sends a ping and waits for its pong; throws when the connection closes or nothing comes.</summary>
        private async Task PingOnceAsync(RawTlsClient connection)
        {
            var uuid = $"ping-{++_pings}";
            await connection.SendAsync(new PingMessage(uuid, _identity.Id, 0, "1.0"));
            while (await connection.ReceiveAsync() is not PongMessage { Uuid: var answered } || answered != uuid)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            _identity.Dispose();
        }
    }

    /// <summary>Samples the node's open descriptors every few milliseconds, for the report (nothing is asserted on it).</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private int _peak;

        public PeakSampler(int pid) => _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    _peak = Math.Max(_peak, OpenDescriptors(pid));
                }
                catch (IOException)
                {
                }

                await Task.Delay(5);
            }
        });

        public int Peak => Volatile.Read(ref _peak);

        public void Dispose()
        {
            _stop.Cancel();
            _sampling.Wait(NodeCli.SafetyTimeout);
            _stop.Dispose();
        }
    }
}
