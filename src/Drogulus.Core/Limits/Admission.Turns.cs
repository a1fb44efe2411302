namespace Drogulus.Core.Limits;

/// <summary>
/// Turns to handshake: at most <c>max-concurrent-handshakes</c> (the smallest any node announced) running at once in
/// each direction, dials and accepts counted apart. A handshake costs milliseconds of CPU; hundreds at once (two
/// hundred nodes joining one seed) each run so slowly that all of them miss <c>handshake-timeout</c> and the work is
/// lost. Past the limit a connection waits in its owner's line, and the owners take turns (PROTOCOL §5, admission):
/// accepts address group by address group, so that a group that opens many connections waits behind its own; dials
/// node by node, so that a node with one dial to make (a join's ping to its seed) waits for one dial of each other
/// node, not for the thousands of refresh dials the nodes that joined before it queued. Dials and accepts have
/// separate turns, so that in one process a dial holding a turn never waits on an accept that waits on a turn held by
/// dials. The lines hold connections only, which the connection budgets bound.
/// </summary>
public sealed partial class Admission<TNode, TConnection>
{
    private readonly Direction _dials = new();
    private readonly Direction _accepts = new();
    private readonly Dictionary<TConnection, bool> _holders = new(); // value: a dial
    private int _turnLimit = int.MaxValue;

    /// <summary>Handshakes running in the direction (<paramref name="dial"/>: dials).</summary>
    public int Running(bool dial) => Of(dial).Running;

    /// <summary>Connections waiting for a turn in the direction.</summary>
    public int Waiting(bool dial) => Of(dial).Count;

    /// <summary>
    /// True when <paramref name="connection"/> may handshake now (or already holds its turn); otherwise it joins the
    /// line of <paramref name="owner"/> (the node a dial is for, the remote address group of an accept) and is named
    /// by <see cref="EndTurn"/> when its turn comes. It must <see cref="EndTurn"/> once its handshake ends or it stops.
    /// </summary>
    public bool TryTakeTurn(TConnection connection, bool dial, object owner)
    {
        if (_holders.ContainsKey(connection))
        {
            return true;
        }

        var direction = Of(dial);
        if (direction.Running < _turnLimit)
        {
            direction.Running++;
            _holders[connection] = dial;
            return true;
        }

        direction.Enqueue(connection, owner);
        return false;
    }

    /// <summary>
    /// The handshake of <paramref name="connection"/> ended (or it stopped, or gave up waiting): its turn, or its place
    /// in the line, is given up. Returns the connection whose turn it now is (to be told), or null. Safe to call more
    /// than once.
    /// </summary>
    public TConnection? EndTurn(TConnection connection)
    {
        if (!_holders.Remove(connection, out var dial))
        {
            _dials.Remove(connection);
            _accepts.Remove(connection);
            return null;
        }

        var direction = Of(dial);
        direction.Running--;
        if (direction.Dequeue() is not { } next)
        {
            return null;
        }

        direction.Running++;
        _holders[next] = dial;
        return next;
    }

    private Direction Of(bool dial) => dial ? _dials : _accepts;

    /// <summary>One direction's turns and waiting line: one line per owner, the owners in rotation.</summary>
    private sealed class Direction
    {
        private readonly LinkedList<Line> _rotation = new();
        private readonly Dictionary<object, LinkedListNode<Line>> _owners = new();
        private readonly Dictionary<TConnection, (LinkedListNode<Line> Owner, LinkedListNode<TConnection> Place)> _waiters = new();

        public int Running { get; set; }

        public int Count => _waiters.Count;

        public void Enqueue(TConnection connection, object owner)
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
        public TConnection? Dequeue()
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

        public void Remove(TConnection connection)
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

            public LinkedList<TConnection> Waiting { get; } = new();
        }
    }
}
