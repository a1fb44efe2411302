using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// The well-behaved client of the admission attack, from one address in an address group of its own: four times a
/// second a NEW connection (TCP connect, full TLS handshake, one ping answered: the "handshake" time), and twenty
/// times a second a findvalue for an item it stored, over one connection it keeps open (the "get" time; a failed one
/// is counted and the connection opened again), and every 5 s a ping over a third connection that is idle in between
/// (counted as kept, or as closed by the node meanwhile). Both paced far below the per-address rates, so that every failure is
/// the node's doing. Times are kept per window (a row's quiet time, its attack, the time after it).
/// </summary>
internal sealed class AdmissionProbe(IPAddress source, IPEndPoint target, string version)
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly NodeIdentity _dialer = NodeIdentity.Generate(DateTimeOffset.UtcNow);
    private readonly NodeIdentity _reader = NodeIdentity.Generate(DateTimeOffset.UtcNow);
    private readonly NodeIdentity _idler = NodeIdentity.Generate(DateTimeOffset.UtcNow);
    private Key _itemKey;

    /// <summary>The window the next round trips are counted under.</summary>
    public string Current { get; set; } = "setup";

    public Window Of(string name) => _windows.GetOrAdd(name, _ => new Window());

    /// <summary>Stores the item the gets read, over a connection of its own.</summary>
    public async Task SetUpAsync(PublisherKey publisher)
    {
        var item = SignedItem.Create(publisher, "admission probe", "a well-behaved value", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, 0);
        using var cts = new CancellationTokenSource(Ceiling);
        await using var peer = await RawPeer.OpenAsync(source, target, Context(_reader), "drogulus-node", cts.Token);
        await peer.SendAsync(new StoreMessage("setup", _reader.Id, 0, version, item), cts.Token);
        var reply = await peer.ReceiveAsync("setup", cts.Token);
        if (reply is not PongMessage)
        {
            throw new InvalidOperationException($"the node did not store the probe's item: {reply}");
        }

        _itemKey = item.Key;
    }

    /// <summary>Runs both loops until <paramref name="stop"/>.</summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(DialLoop(stop), GetLoop(stop), IdleLoop(stop));

    private static SslStreamCertificateContext Context(NodeIdentity identity) => SslStreamCertificateContext.Create(identity.Certificate, null, offline: true);

    private async Task DialLoop(CancellationToken stop)
    {
        var context = Context(_dialer);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var n = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var window = Of(Current);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    cts.CancelAfter(Ceiling);
                    await using var peer = await RawPeer.OpenAsync(source, target, context, "drogulus-node", cts.Token);
                    var uuid = $"dial {n++}";
                    await peer.SendAsync(new PingMessage(uuid, _dialer.Id, 0, version), cts.Token);
                    var reply = await peer.ReceiveAsync(uuid, cts.Token);
                    window.Add(window.Handshakes, reply is PongMessage ? null : reply.WireName, started);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    window.Add(window.Handshakes, AdmissionAttackers.Describe(e), started);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task GetLoop(CancellationToken stop)
    {
        await using var kept = new KeptConnection(source, target, Context(_reader));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var n = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var window = Of(Current);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    cts.CancelAfter(Ceiling);
                    // Reopening is counted in the get that needed it: the get waits for it.
                    var peer = await kept.OpenAsync(cts.Token);

                    var uuid = $"get {n++}";
                    await peer.SendAsync(new FindValueMessage(uuid, _reader.Id, 0, version, _itemKey), cts.Token);
                    var reply = await peer.ReceiveAsync(uuid, cts.Token);
                    window.Add(window.Gets, reply is ValueMessage ? null : reply.WireName, started);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    window.Add(window.Gets, AdmissionAttackers.Describe(e), started);
                    await kept.DropAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // A connection a peer keeps and uses now and then: a ping every 5 s over it. When the node has closed it in
    // between (to make room for another, say), the ping fails: counted as "idle connection closed", then reopened.
    private async Task IdleLoop(CancellationToken stop)
    {
        await using var kept = new KeptConnection(source, target, Context(_idler));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        var n = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var window = Of(Current);
                try
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    cts.CancelAfter(Ceiling);
                    var peer = await kept.OpenAsync(cts.Token);
                    var uuid = $"idle {n++}";
                    await peer.SendAsync(new PingMessage(uuid, _idler.Id, 0, version), cts.Token);
                    await peer.ReceiveAsync(uuid, cts.Token);
                    window.Failures.AddOrUpdate("idle connection kept", 1, (_, c) => c + 1);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    window.Failures.AddOrUpdate($"idle connection closed: {AdmissionAttackers.Describe(e)}", 1, (_, c) => c + 1);
                    await kept.DropAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One connection kept across ticks: opened when missing, dropped after a failed exchange (the next tick reopens it).</summary>
    private sealed class KeptConnection(IPAddress source, IPEndPoint target, SslStreamCertificateContext context) : IAsyncDisposable
    {
        private RawPeer? _peer;

        public async Task<RawPeer> OpenAsync(CancellationToken cancel) =>
            _peer ??= await RawPeer.OpenAsync(source, target, context, "drogulus-node", cancel);

        public async Task DropAsync()
        {
            if (_peer is { } peer)
            {
                _peer = null;
                await peer.DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync() => await DropAsync();
    }

    /// <summary>The round trips of one window: milliseconds of each success, and the failures by kind.</summary>
    internal sealed class Window
    {
        public ConcurrentBag<double> Handshakes { get; } = [];

        public ConcurrentBag<double> Gets { get; } = [];

        public ConcurrentDictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

        public void Add(ConcurrentBag<double> times, string? failure, long started)
        {
            if (failure is null)
            {
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                Failures.AddOrUpdate($"{(times == Handshakes ? "handshake" : "get")} {failure}", 1, (_, c) => c + 1);
            }
        }
    }
}
