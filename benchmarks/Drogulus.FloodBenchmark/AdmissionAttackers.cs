using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Drogulus.Core.Wire;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// The attackers of the admission attack (PROTOCOL §5, admission and rate), each run until its stop token ends and
/// then closing every connection it holds. Sources are 127.R.G.A: row R, address group 127.R.G.0/24, address A.
/// Every outcome is counted in a <see cref="Tally"/>: what the node did to the attacker.
/// </summary>
internal static class AdmissionAttackers
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    /// <summary>The source address 127.<paramref name="row"/>.<paramref name="group"/>.<paramref name="host"/>.</summary>
    public static IPAddress Source(int row, int group, int host) => new([127, (byte)row, (byte)group, (byte)host]);

    /// <summary>
    /// Row 1: <paramref name="perSecond"/> new connections a second in turn from <paramref name="addresses"/> addresses, each
    /// in a /24 of its own; every other one sends nothing, the others the header and 100 bytes of a 512-byte handshake
    /// record; each is held until the node closes it.
    /// </summary>
    public static async Task StalledHellos(IPEndPoint target, int perSecond, int addresses, Tally tally, CancellationToken stop)
    {
        var running = new List<Task>();
        var clock = Stopwatch.StartNew();
        var started = 0L;
        while (!stop.IsCancellationRequested)
        {
            while (started < clock.Elapsed.TotalSeconds * perSecond)
            {
                var n = started++;
                running.Add(Stall(Source(1, (int)(n % addresses), 1), partial: n % 2 == 1));
            }

            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(running);

        async Task Stall(IPAddress source, bool partial)
        {
            var opened = Stopwatch.GetTimestamp();
            try
            {
                await using var peer = await RawPeer.ConnectAsync(source, target, stop);
                if (partial)
                {
                    await peer.Tcp.WriteAsync((byte[])[0x16, 0x03, 0x01, 0x02, 0x00, .. new byte[100]], stop);
                }

                tally.Closed(await peer.WaitClosedAsync(stop), opened);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                tally.Count("connect failed: " + Describe(e));
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// Rows 2 and 4: <paramref name="slots"/> connections kept open: each slot connects from <paramref name="source"/>
    /// (slot, attempt), handshakes as its own identity, runs <paramref name="hold"/> (nothing: idle), and when the node
    /// closes it or refuses it, tries again a second later (with <paramref name="reconnect"/>; else each slot connects once). At most <paramref name="opening"/> handshakes at once.
    /// </summary>
    public static async Task Holders(
        IPEndPoint target, IReadOnlyList<SslStreamCertificateContext> identities, int slots, int opening, bool reconnect,
        Func<int, long, IPAddress> source, Func<RawPeer, CancellationToken, Task>? hold, Tally tally, CancellationToken stop)
    {
        using var gate = new SemaphoreSlim(opening);
        await Task.WhenAll(Enumerable.Range(0, slots).Select(Slot));

        async Task Slot(int slot)
        {
            for (var attempt = 0L; !stop.IsCancellationRequested && (reconnect || attempt == 0); attempt++)
            {
                if (attempt > 0)
                {
                    try
                    {
                        await Task.Delay(RetryPause, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                var opened = Stopwatch.GetTimestamp();
                RawPeer? peer = null;
                try
                {
                    await gate.WaitAsync(stop);
                    var step = "connect";
                    try
                    {
                        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
                        cts.CancelAfter(Ceiling);
                        peer = await RawPeer.ConnectAsync(source(slot, attempt), target, cts.Token);
                        step = "handshake";
                        await peer.HandshakeAsync(identities[slot % identities.Count], $"slot-{slot}-{attempt}", cts.Token);
                    }
                    catch (Exception e) when (!stop.IsCancellationRequested)
                    {
                        tally.Count($"{step} failed: {Describe(e)}");
                        continue;
                    }
                    finally
                    {
                        gate.Release();
                    }

                    tally.Count("handshake done");
                    using var holding = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    var closed = peer.WaitClosedAsync(stop);
                    var held = hold is null ? Task.CompletedTask : hold(peer, holding.Token);
                    var byNode = await closed;
                    await holding.CancelAsync();
                    await held;
                    tally.Closed(byNode, opened);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    tally.Count("failed while held: " + Describe(e));
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    if (peer is not null)
                    {
                        await peer.DisposeAsync();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Row 4's hold: all but the last 64 bytes of a frame of <paramref name="maxFrameSize"/> bytes, then one more
    /// byte every <paramref name="trickle"/> (it never completes within a row), until the node closes the connection.
    /// </summary>
    public static Func<RawPeer, CancellationToken, Task> NearFullFrame(int maxFrameSize, TimeSpan trickle) => async (peer, stop) =>
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"{maxFrameSize}:");
        try
        {
            await peer.Ssl.WriteAsync((byte[])[.. header, .. new byte[maxFrameSize - 64]], stop);
            await peer.Ssl.FlushAsync(stop);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(trickle, stop);
                await peer.Ssl.WriteAsync((byte[])[0], stop);
                await peer.Ssl.FlushAsync(stop);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Closed by the node (the read side counts it) or the row ended.
        }
    };

    /// <summary>
    /// Row 3: <paramref name="workers"/> loops, each as fast as it can: connect from one of
    /// <paramref name="groups"/> x <paramref name="hosts"/> addresses, full handshake, one ping answered, close.
    /// </summary>
    public static async Task HandshakeFlood(
        IPEndPoint target, IReadOnlyList<SslStreamCertificateContext> identities, IReadOnlyList<Drogulus.Core.Identity.Key> ids, int workers, int groups, int hosts,
        string version, Tally tally, CancellationToken stop)
    {
        var next = -1L;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(Worker));

        async Task Worker(int worker)
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                var identity = (int)(n % identities.Count);
                var source = Source(3, (int)(n % groups), 1 + (int)(n / groups % hosts));
                try
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    cts.CancelAfter(Ceiling);
                    await using var peer = await RawPeer.OpenAsync(source, target, identities[identity], $"flood-{n}", cts.Token);
                    tally.Count("handshake done");
                    var uuid = $"flood {n}";
                    await peer.SendAsync(new PingMessage(uuid, ids[identity], 0, version), cts.Token);
                    var reply = await peer.ReceiveAsync(uuid, cts.Token);
                    tally.Count(reply is PongMessage ? "ping answered" : "ping got " + reply.WireName);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    tally.Count("failed: " + Describe(e));
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>A failure's name as the tables print it: the exception's type and, for a socket's, its error.</summary>
    public static string Describe(Exception e) => e switch
    {
        System.Net.Sockets.SocketException s => $"{nameof(System.Net.Sockets.SocketException)} {s.SocketErrorCode}",
        IOException { InnerException: System.Net.Sockets.SocketException s } => $"{nameof(IOException)} ({s.SocketErrorCode})",
        _ => e.GetType().Name,
    };

    /// <summary>What the node did to one attacker: outcomes by kind, and how long the connections it closed had lasted.</summary>
    internal sealed class Tally
    {
        private readonly ConcurrentBag<double> _heldSeconds = [];

        public ConcurrentDictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

        public void Count(string outcome) => Outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);

        /// <summary>A held connection ended: closed by the node (its age kept) or still open when the row ended.</summary>
        public void Closed(bool byNode, long opened)
        {
            if (byNode)
            {
                var seconds = Stopwatch.GetElapsedTime(opened).TotalSeconds;
                _heldSeconds.Add(seconds);
                Count(seconds < 0.5 ? "closed by the node within 0.5 s" : "closed by the node later");
            }
            else
            {
                Count("open when the row ended");
            }
        }

        /// <summary>Seconds the node let its closed connections last: p50, p99 and max (NaN: none closed).</summary>
        public (double P50, double P99, double Max) Held()
        {
            var held = _heldSeconds.ToList();
            return (Stats.Percentile(held, 0.5), Stats.Percentile(held, 0.99), held.Count == 0 ? double.NaN : Math.Round(held.Max(), 2));
        }
    }
}

/// <summary>Percentiles as the flood benchmark computes them (nearest rank).</summary>
internal static class Stats
{
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);
    }
}
