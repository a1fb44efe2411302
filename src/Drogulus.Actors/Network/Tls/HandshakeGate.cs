using Akka.Actor;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// TLS handshakes in progress at once in one actor system (in practice, one process), dials and accepts counted
/// apart: at most <c>max-concurrent-handshakes</c> of each (the smallest any transport announced). A handshake costs
/// milliseconds of CPU; hundreds at once (two hundred nodes joining one seed) each run so slowly that all of them
/// miss <c>handshake-timeout</c> and the work is lost (issue 9). Past the limit a connection waits its turn, first
/// come first served, still within its <c>handshake-timeout</c>, and is told
/// <see cref="Granted"/> when its turn comes. Dials and accepts have separate turns, so that in one process a dial holding a turn never waits on an
/// accept that waits on a turn held by dials. The waiting line holds connections only, which the connection
/// budgets bound. Thread safe: transports on different threads share it.
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
            return Of(outbound).Line.Count;
        }
    }

    /// <summary>
    /// True when <paramref name="connection"/> may handshake now; otherwise it joins the line and is told
    /// <see cref="Granted"/> when its turn comes. It must <see cref="Leave"/> once its handshake ends or it stops.
    /// </summary>
    public bool TryEnter(IActorRef connection, bool outbound)
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

            if (!direction.Waiters.ContainsKey(connection))
            {
                direction.Waiters[connection] = direction.Line.AddLast(connection);
            }

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
                if (direction.Line.First is { } chosen)
                {
                    next = chosen.Value;
                    direction.Line.Remove(chosen);
                    direction.Waiters.Remove(next);
                    direction.Running++;
                    _holders[next] = outbound;
                }
            }
            else
            {
                LeaveLine(_dials, connection);
                LeaveLine(_accepts, connection);
            }
        }

        // A connection that stopped meanwhile has left through PostStop, under the lock, before or after this
        // grant: before, it is no longer in the line; after, its Leave gives the turn on.
        next?.Tell(Granted.Instance);
    }

    private static void LeaveLine(Direction direction, IActorRef connection)
    {
        if (direction.Waiters.Remove(connection, out var node))
        {
            direction.Line.Remove(node);
        }
    }

    private Direction Of(bool outbound) => outbound ? _dials : _accepts;

    /// <summary>A waiting connection's turn to handshake has come.</summary>
    internal sealed record Granted
    {
        public static Granted Instance { get; } = new();
    }

    private sealed class Direction
    {
        public int Running { get; set; }

        public LinkedList<IActorRef> Line { get; } = new();

        public Dictionary<IActorRef, LinkedListNode<IActorRef>> Waiters { get; } = new();
    }

    private sealed class Provider : ExtensionIdProvider<HandshakeGate>
    {
        public override HandshakeGate CreateExtension(ExtendedActorSystem system) => new();
    }
}
