using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network;

/// <summary>
/// An in-process network: nodes register a transport under a virtual port and reach each other by address,
/// with every message encoded and decoded by the wire codec. Fast and deterministic, for tests and
/// simulations of thousands of nodes. Thread-safe.
/// </summary>
/// <remarks>
/// Every registered endpoint has an IP address of its own, which its peers see as its connection's address
/// (so the address-group rules of PROTOCOL §8 and §9 apply here exactly as over TLS). By default each
/// endpoint gets one distinct, non-private address group (<see cref="DefaultAddress"/>); a test chooses
/// others through <see cref="AddressFor"/>, say many nodes in one group. Nothing is ever sent to these
/// addresses: they only name endpoints inside the process. A port is reachable as <c>ADDRESS:PORT</c> and,
/// for tests written before addresses, as <c>memory:PORT</c>.
/// </remarks>
public sealed class MemoryNetwork : ITransportFactory
{
    /// <summary>A host name that reaches any port of a memory network, whatever its address.</summary>
    public const string Host = "memory";

    private readonly ConcurrentDictionary<int, (Key Id, IActorRef Transport, string Address)> _nodes = new();
    private readonly ConcurrentDictionary<Key, (string? Host, bool Dialable)> _placements = new();
    private readonly ConcurrentDictionary<IActorRef, int> _ports = new();
    private int _nextPort;

    /// <summary>
    /// Decides, per message, whether it is lost (sender id, receiver id). Lost requests time out, as on a
    /// real network. Null delivers everything.
    /// </summary>
    public Func<Key, Key, bool>? Drop { get; set; }

    /// <summary>
    /// The address of the endpoint registering with an id on a port (ports count up from 1); read once, when
    /// the endpoint first registers. <see cref="DefaultAddress"/> unless a test sets it before starting nodes.
    /// </summary>
    public Func<Key, int, IPAddress> AddressFor { get; set; } = (_, port) => DefaultAddress(port);

    /// <summary>
    /// One distinct address group per port: <c>100.64.0.1</c>, <c>100.64.1.1</c>, ... in the shared address
    /// space 100.64.0.0/10 (RFC 6598), which is not exempt from the group limits and holds 16,384 /24 groups
    /// (ports beyond that share groups again).
    /// </summary>
    public static IPAddress DefaultAddress(int port)
    {
        var group = port & 0x3FFF;
        return new IPAddress([100, (byte)(64 + (group >> 8)), (byte)(group & 0xFF), 1]);
    }

    /// <summary>
    /// Puts the node with <paramref name="id"/> at <paramref name="host"/> (an IP address as text, so that nodes
    /// fall into address groups; null keeps <see cref="AddressFor"/>'s) and, when <paramref name="dialable"/> is
    /// false, makes it a node behind NAT: it can open connections and is answered over them, but nobody can
    /// dial it (PROTOCOL §10). Call it before the node starts; nodes not placed can be dialled.
    /// </summary>
    public void Place(Key id, string? host, bool dialable = true)
    {
        _placements[id] = (string.IsNullOrEmpty(host) ? null : host, dialable);
    }

    /// <summary>Whether the node with <paramref name="id"/> can be dialled.</summary>
    public bool IsDialable(Key id) => !_placements.TryGetValue(id, out var place) || place.Dialable;

    /// <summary>Nodes currently registered.</summary>
    public int Count => _nodes.Count;

    /// <inheritdoc />
    public Props Props(NodeIdentity identity, DrogulusSettings settings, IActorRef node, IActorRef inbound) =>
        MemoryTransportActor.Props(this, identity.Id, settings, node, inbound);

    /// <summary>
    /// Registers <paramref name="transport"/> under <paramref name="id"/> on a new port (or the port it had: a
    /// restarted actor keeps its ref, and peers know it by that port) and returns the port. The actor then
    /// receives <see cref="MemoryFrame"/>s sent to that port and answers with frames of its own. Node transports
    /// register themselves; a test registers a hand-driven peer (Drogulus.TestKit's RawPeer).
    /// </summary>
    public int Register(Key id, IActorRef transport)
    {
        var port = _ports.GetOrAdd(transport, _ => Interlocked.Increment(ref _nextPort));
        var address = _nodes.TryGetValue(port, out var known) ? known.Address
            : _placements.TryGetValue(id, out var place) && place.Host is { } placed ? placed
            : AddressFor(id, port).ToString();
        _nodes[port] = (id, transport, address);
        return port;
    }

    /// <summary>The address of the endpoint registered at <paramref name="port"/>, or <see cref="Host"/> when none is.</summary>
    public string AddressOf(int port) => _nodes.TryGetValue(port, out var entry) ? entry.Address : Host;

    /// <summary>The address of the registered endpoint <paramref name="transport"/>, or <see cref="Host"/> when it is not registered.</summary>
    public string AddressOf(IActorRef transport) => _ports.TryGetValue(transport, out var port) ? AddressOf(port) : Host;

    /// <summary>Frees <paramref name="port"/>: requests sent there fail with a connection failure.</summary>
    public void Unregister(int port)
    {
        if (_nodes.TryRemove(port, out var entry))
        {
            _ports.TryRemove(entry.Transport, out _);
        }
    }

    /// <summary>The id and actor registered at <paramref name="host"/>:<paramref name="port"/>; false when none is (dialable or not).</summary>
    public bool TryResolve(string host, int port, out Key id, out IActorRef transport)
    {
        if (_nodes.TryGetValue(port, out var entry) && (host == Host || host.Trim('[', ']') == entry.Address))
        {
            (id, transport, _) = entry;
            return true;
        }

        id = default;
        transport = ActorRefs.Nobody;
        return false;
    }

    /// <summary>The port <paramref name="transport"/> is registered under; 0 when it is not.</summary>
    internal int PortOf(IActorRef transport) => _ports.TryGetValue(transport, out var port) ? port : 0;

    internal bool IsDropped(Key from, Key to) => Drop?.Invoke(from, to) ?? false;
}
