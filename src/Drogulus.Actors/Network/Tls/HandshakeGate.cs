using Akka.Actor;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// TLS handshakes in progress at once in one actor system (in practice, one process), dials and accepts counted
/// apart: at most <c>max-concurrent-handshakes</c> of each (the smallest any transport announced). A handshake costs
/// milliseconds of CPU; hundreds at once (two hundred nodes joining one seed) each run so slowly that all of them
/// miss <c>handshake-timeout</c> and the work is lost (issue 9). Past the limit a connection waits its turn, still
/// within its <c>handshake-timeout</c>, and is told <see cref="Granted"/> when its turn comes: accepts address group
/// by address group in rotation (PROTOCOL §5, admission: a group that opens many connections waits behind its own),
/// each group's first come first served; dials node by node in rotation (each node's own dials first come first served), so that a node
/// with one dial to make (a join's ping to its seed) waits for one dial of each other node, not for the thousands
/// of refresh dials the nodes that joined before it queued (in a 200-node join storm, the last joiners' pings timed
/// out in that line and their joins failed). Dials and accepts have separate turns, so that in one process a dial
/// holding a turn never waits on an accept that waits on a turn held by dials. The waiting lines hold connections
/// only, which the connection budgets bound. Thread safe: transports on different threads share it.
/// </summary>
internal sealed class HandshakeGate : IExtension
{
    private readonly object _gate = new();
    private readonly Direction _dials = new();
    private readonly Direction _accepts = new();
    private readonly Dictionary<IActorRef, bool> _holders = new(); // value: outbound
    private int _limit = int.MaxValue;

    /// <summary>The gate of <paramref name="system"/>.</summary>
    public static HandshakeGate Get(ActorSystem system) => system.WithExtension<HandshakeGate, Provider>();

    /// <summary>A transport's <c>max-concurrent-handshakes</c>: the limit becomes the smaller of the one in force and this.</summary>
    public void Announce(int maxConcurrent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        lock (_gate)
        {
            _limit = Math.Min(_limit, maxConcurrent);
        }
    }

    /// <summary>Handshakes running in the direction (<paramref name="outbound"/>: dials).</summary>
    public int Running(bool outbound)
    {
        lock (_gate)
        {
            return Of(outbound).Running;
        }
    }

    /// <summary>Connections waiting for a turn in the direction.</summary>
    public int Waiting(bool outbound)
    {
        lock (_gate)
        {
            return Of(outbound).Count;
        }
    }

    /// <summary>
    /// True when <paramref name="connection"/> may handshake now; otherwise it joins the line and is told
    /// <see cref="Granted"/> when its turn comes. It must <see cref="Leave"/> once its handshake ends or it stops.
    /// <paramref name="owner"/>: whose line the connection waits in; the lines take turns (PROTOCOL §5, admission):
    /// the node (transport) a dial is for, the remote address group of an accept. Null: one line for all.
    /// </summary>
    public bool TryEnter(IActorRef connection, bool outbound, object? owner = null)
    {
        lock (_gate)
        {
            if (_holders.ContainsKey(connection))
            {
                return true;
            }

            var direction = Of(outbound);
            if (direction.Running < _limit)
            {
                direction.Running++;
                _holders[connection] = outbound;
                return true;
            }

            direction.Enqueue(connection, owner ?? direction);
            return false;
        }
    }

    /// <summary>
    /// The handshake of <paramref name="connection"/> ended (or it stopped, or gave up waiting): its turn, or its
    /// place in the line, is given up, and the next in line is told <see cref="Granted"/>. Safe to call more than once.
    /// </summary>
    public void Leave(IActorRef connection)
    {
        IActorRef? next = null;
        lock (_gate)
        {
            if (_holders.Remove(connection, out var outbound))
            {
                var direction = Of(outbound);
                direction.Running--;
                next = direction.Dequeue();
                if (next is not null)
                {
                    direction.Running++;
                    _holders[next] = outbound;
                }
            }
            else
            {
                _dials.Remove(connection);
                _accepts.Remove(connection);
            }
        }

        // A connection that stopped meanwhile has left through PostStop, under the lock, before or after this
        // grant: before, it is no longer in the line; after, its Leave gives the turn on.
        next?.Tell(Granted.Instance);
    }

    private Direction Of(bool outbound) => outbound ? _dials : _accepts;

    /// <summary>A waiting connection's turn to handshake has come.</summary>
    internal sealed record Granted
    {
        public static Granted Instance { get; } = new();
    }

    /// <summary>
    /// One direction's turns and waiting line: one line per owner (a node for dials, an address group for accepts),
    /// the owners in rotation.
    /// </summary>
    private sealed class Direction
    {
        private readonly LinkedList<Line> _rotation = new();
        private readonly Dictionary<object, LinkedListNode<Line>> _owners = new();
        private readonly Dictionary<IActorRef, (LinkedListNode<Line> Owner, LinkedListNode<IActorRef> Place)> _waiters = new();

        public int Running { get; set; }

        public int Count => _waiters.Count;

        public void Enqueue(IActorRef connection, object owner)
        {
            if (_waiters.ContainsKey(connection))
            {
                return;
            }

            if (!_owners.TryGetValue(owner, out var line))
            {
                line = _rotation.AddLast(new Line(owner));
                _owners[owner] = line;
            }

            _waiters[connection] = (line, line.Value.Waiting.AddLast(connection));
        }

        /// <summary>The first waiting connection of the owner whose turn it is; that owner goes to the back.</summary>
        public IActorRef? Dequeue()
        {
            if (_rotation.First is not { } line)
            {
                return null;
            }

            var connection = line.Value.Waiting.First!.Value;
            Remove(connection);
            if (line.List is not null && _rotation.Count > 1)
            {
                _rotation.Remove(line);
                _rotation.AddLast(line);
            }

            return connection;
        }

        public void Remove(IActorRef connection)
        {
            if (!_waiters.Remove(connection, out var entry))
            {
                return;
            }

            entry.Owner.Value.Waiting.Remove(entry.Place);
            if (entry.Owner.Value.Waiting.Count == 0)
            {
                _rotation.Remove(entry.Owner);
                _owners.Remove(entry.Owner.Value.Owner);
            }
        }

        private sealed class Line(object owner)
        {
            public object Owner { get; } = owner;

            public LinkedList<IActorRef> Waiting { get; } = new();
        }
    }

    private sealed class Provider : ExtensionIdProvider<HandshakeGate>
    {
        public override HandshakeGate CreateExtension(ExtendedActorSystem system) => new();
    }
}
