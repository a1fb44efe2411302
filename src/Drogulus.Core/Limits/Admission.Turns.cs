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
/// <remarks>
/// An owner whose line has not had a turn yet goes before the owners that have had one (the new-flows list of
/// fq_codel, RFC 8290 §4.1): a group that opens one connection now and then (an honest peer) gets the next turn even
/// while a few groups keep long lines, and each owner with a line still gets one turn per round. Accepts from rated
/// addresses also need a token of the process's accepted-handshake rate (Admission.HandshakeRate.cs); a waiting line
/// whose first connection needs one is passed over until one accrues, and the last few tokens are kept for owners that
/// have not had a turn. Because groups that keep emptying their lines come back as new ones, new lines alone could
/// take every token; so once a connection of an owner that has had a turn has waited <see cref="MaxWait"/>, such
/// connections (the one waiting longest first) and new owners take turns: no line waits much longer than that behind new
/// ones, and a newcomer never waits behind a whole backlog (a thousand connections opened at once all wait that long).
/// </remarks>
public sealed partial class Admission<TNode, TConnection>
{
    private readonly Direction _dials = new();
    private readonly Direction _accepts = new();
    private readonly Dictionary<TConnection, bool> _holders = new(); // value: a dial
    private int _turnLimit = int.MaxValue;

    /// <summary>How long a connection may wait behind owners that have not had a turn before it goes first.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    /// <summary>Handshakes running in the direction (<paramref name="dial"/>: dials).</summary>
    public int Running(bool dial) => Of(dial).Running;

    /// <summary>Connections waiting for a turn in the direction.</summary>
    public int Waiting(bool dial) => Of(dial).Count;

    /// <summary>
    /// <paramref name="connection"/> asks for its turn to handshake at <paramref name="now"/>: it joins the line of
    /// <paramref name="owner"/> (the node a dial is for, the remote address group of an accept), and every connection
    /// whose turn comes now is returned, to be told (this one among them when it may handshake at once, or already
    /// holds its turn). <paramref name="rated"/>: an accept from an address the rate limits count, which also needs a
    /// token of the accepted-handshake rate. It must <see cref="EndTurn"/> once its handshake ends or it stops.
    /// </summary>
    public IReadOnlyList<TConnection> AskTurn(TConnection connection, bool dial, object owner, bool rated, DateTimeOffset now)
    {
        if (_holders.ContainsKey(connection))
        {
            return [connection];
        }

        Of(dial).Enqueue(connection, owner, rated && !dial, now);
        return Grant(dial, now);
    }

    /// <summary>
    /// The handshake of <paramref name="connection"/> ended (or it stopped, or gave up waiting): its turn, or its place
    /// in the line, is given up. Returns the connections whose turn it now is (to be told). Safe to call more than once.
    /// </summary>
    public IReadOnlyList<TConnection> EndTurn(TConnection connection, DateTimeOffset now)
    {
        if (!_holders.Remove(connection, out var dial))
        {
            _dials.Remove(connection);
            _accepts.Remove(connection);
            return [];
        }

        Of(dial).Running--;
        return Grant(dial, now);
    }

    // Gives every free turn of the direction to the next waiting connection that may have it.
    private List<TConnection> Grant(bool dial, DateTimeOffset now)
    {
        var direction = Of(dial);
        var granted = new List<TConnection>();
        while (direction.Running < _turnLimit && direction.Dequeue(now, TokenReady(now, fresh: true), TokenReady(now, fresh: false)) is { } next)
        {
            if (next.Rated)
            {
                SpendToken();
            }

            direction.Running++;
            _holders[next.Connection] = dial;
            granted.Add(next.Connection);
        }

        return granted;
    }

    private Direction Of(bool dial) => dial ? _dials : _accepts;

    /// <summary>A connection given its turn, and whether it spends a token of the accepted-handshake rate.</summary>
    private sealed record Turn(TConnection Connection, bool Rated, DateTimeOffset Since);

    /// <summary>
    /// One direction's turns and waiting lines: one line per owner, the owners that have not had a turn yet before
    /// those that have, each group in rotation.
    /// </summary>
    private sealed class Direction
    {
        private readonly LinkedList<Line> _fresh = new();
        private readonly LinkedList<Line> _served = new();
        private readonly Dictionary<object, LinkedListNode<Line>> _owners = new();
        private readonly Dictionary<TConnection, (LinkedListNode<Line> Owner, LinkedListNode<Turn> Place)> _waiters = new();
        private bool _agedNext; // whether the next turn, while connections waited MaxWait, is theirs rather than a new owner's

        public int Running { get; set; }

        public int Count => _waiters.Count;

        /// <summary>Whether a connection of an owner that has not had a turn waits for a token.</summary>
        public bool FreshWaitsForToken => HeadNeedingToken(_fresh);

        /// <summary>Whether a connection of an owner that has had a turn waits for a token.</summary>
        public bool ServedWaitsForToken => HeadNeedingToken(_served);

        public void Enqueue(TConnection connection, object owner, bool rated, DateTimeOffset now)
        {
            if (_waiters.ContainsKey(connection))
            {
                return;
            }

            if (!_owners.TryGetValue(owner, out var line))
            {
                line = _fresh.AddLast(new Line(owner));
                _owners[owner] = line;
            }

            _waiters[connection] = (line, line.Value.Waiting.AddLast(new Turn(connection, rated, now)));
        }

        /// <summary>
        /// The first waiting connection of the owner whose turn it is: the first fresh owner, else the first owner that
        /// has had a turn; but while a connection of an owner that has had a turn has waited <see cref="MaxWait"/>, every
        /// other turn goes to the one that has waited longest. Each only if its first connection may go now
        /// (<paramref name="freshToken"/>, <paramref name="servedToken"/>: a token is ready for one that needs it, of an
        /// owner that has not had a turn and of one that has; one that waited that long needs only a token). That owner
        /// goes to the back of the owners that have had a turn.
        /// </summary>
        public Turn? Dequeue(DateTimeOffset now, bool freshToken, bool servedToken)
        {
            var aged = Longest(now - MaxWait, freshToken);
            var fresh = First(_fresh, freshToken);
            LinkedListNode<Line>? line;
            if (aged is not null && (fresh is null || _agedNext))
            {
                (line, _agedNext) = (aged, false);
            }
            else
            {
                line = fresh ?? First(_served, servedToken);
                _agedNext = line is null ? _agedNext : aged is not null; // a turn given past a waiting aged one makes the next theirs
            }

            if (line is null)
            {
                return null;
            }

            var turn = line.Value.Waiting.First!.Value;
            Remove(turn.Connection);
            if (line.List is not null)
            {
                line.List.Remove(line);
                _served.AddLast(line);
            }

            return turn;
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
                entry.Owner.List!.Remove(entry.Owner);
                _owners.Remove(entry.Owner.Value.Owner);
            }
        }

        /// <summary>When a connection first waited, of the owners that have had a turn, or null: it goes first once it waited <see cref="MaxWait"/>.</summary>
        public DateTimeOffset? OldestServed()
        {
            DateTimeOffset? oldest = null;
            for (var line = _served.First; line is not null; line = line.Next)
            {
                var since = line.Value.Waiting.First!.Value.Since;
                oldest = oldest is { } o && o <= since ? o : since;
            }

            return oldest;
        }

        // The line of an owner that has had a turn whose first connection has waited longest, if it waited since
        // `before` or earlier and may go now.
        private LinkedListNode<Line>? Longest(DateTimeOffset before, bool token)
        {
            LinkedListNode<Line>? longest = null;
            for (var line = _served.First; line is not null; line = line.Next)
            {
                var head = line.Value.Waiting.First!.Value;
                if (head.Since <= before && (token || !head.Rated) && (longest is null || head.Since < longest.Value.Waiting.First!.Value.Since))
                {
                    longest = line;
                }
            }

            return longest;
        }

        private static LinkedListNode<Line>? First(LinkedList<Line> owners, bool token)
        {
            for (var line = owners.First; line is not null; line = line.Next)
            {
                if (token || !line.Value.Waiting.First!.Value.Rated)
                {
                    return line;
                }
            }

            return null;
        }

        private static bool HeadNeedingToken(LinkedList<Line> owners)
        {
            for (var line = owners.First; line is not null; line = line.Next)
            {
                if (line.Value.Waiting.First!.Value.Rated)
                {
                    return true;
                }
            }

            return false;
        }

        private sealed class Line(object owner)
        {
            public object Owner { get; } = owner;

            public LinkedList<Turn> Waiting { get; } = new();
        }
    }
}
