using System.Collections.Concurrent;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network;

/// <summary>
/// An in-process network: nodes register a transport under a virtual port of the host
/// <see cref="Host"/> and reach each other by address, with every message encoded and decoded by the
/// wire codec. Fast and deterministic, for tests and simulations of thousands of nodes. Thread-safe.
/// </summary>
public sealed class MemoryNetwork : ITransportFactory
{
    /// <summary>The host name of every node on a memory network.</summary>
    public const string Host = "memory";

    private readonly ConcurrentDictionary<int, (Key Id, IActorRef Transport)> _nodes = new();
    private readonly ConcurrentDictionary<Key, (string Host, bool Dialable)> _placements = new();
    private readonly ConcurrentDictionary<IActorRef, int> _ports = new();
    private int _nextPort;

    /// <summary>
    /// Decides, per message, whether it is lost (sender id, receiver id). Lost requests time out, as on a
    /// real network. Null delivers everything.
    /// </summary>
    public Func<Key, Key, bool>? Drop { get; set; }

    /// <summary>
    /// Puts the node with <paramref name="id"/> at <paramref name="host"/> (an IP address as text, say, so that
    /// nodes fall into address groups) and, when <paramref name="dialable"/> is false, makes it a node behind NAT:
    /// it can open connections and is answered over them, but nobody can dial it (PROTOCOL §10). Call it
    /// before the node starts; nodes not placed are at <see cref="Host"/> and can be dialled.
    /// </summary>
    public void Place(Key id, string host, bool dialable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        _placements[id] = (host, dialable);
    }

    /// <summary>The host the node with <paramref name="id"/> is at.</summary>
    public string HostOf(Key id) => _placements.TryGetValue(id, out var place) ? place.Host : Host;

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
        _nodes[port] = (id, transport);
        return port;
    }

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
        if (_nodes.TryGetValue(port, out var entry) && host == HostOf(entry.Id))
        {
            (id, transport) = entry;
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
