namespace Drogulus.Core.Limits;

/// <summary>
/// Who may connect, for every node of one process (PROTOCOL §5, budget and admission): each node's
/// <c>max-connections</c>, the connection budget the nodes share (one file descriptor per connection, so many nodes
/// that each stay inside their own budget can still run the process out of descriptors), the connections accepted
/// from one address group, the turns to handshake (Admission.Turns.cs) and the rate at which strangers' handshakes
/// start (Admission.HandshakeRate.cs). Pure: no locks, no clock (the rate's rules take the time as an argument); one
/// actor per actor system owns it and answers the transports' questions with its decisions.
/// </summary>
/// <remarks>
/// The process limit is the smallest <c>process-max-connections</c> any node announced, capped by the process's
/// open-file limit minus the descriptors the process held when the node joined (other than these connections: a .NET
/// process holds two for each assembly it loaded, some 230 for a node) minus <c>descriptor-reserve</c> (at most a
/// quarter of the open-file limit is reserved). Running at the open-file limit is not survivable in general: the .NET
/// runtime needs a descriptor to start a thread and aborts the process when it gets none.
/// Which of a node's own connections is idle longest is the node's knowledge (it hears of every request); it names
/// that candidate when it asks, and this type decides whether the candidate is to be closed.
/// </remarks>
/// <typeparam name="TNode">What names a node (its transport).</typeparam>
/// <typeparam name="TConnection">What names a connection waiting for, or holding, a turn to handshake.</typeparam>
public sealed partial class Admission<TNode, TConnection>
    where TNode : class
    where TConnection : class
{
    private readonly Dictionary<TNode, Node> _nodes = new();
    private readonly Dictionary<long, Seat> _seats = new();
    private int _announced = int.MaxValue;
    private int _reserved;
    private long _lastId;

    /// <summary>The nodes that joined.</summary>
    public IEnumerable<TNode> Nodes => _nodes.Keys;

    /// <summary>Process slots taken (one per connection holding a file descriptor).</summary>
    public int Count { get; private set; }

    /// <summary>The process limit in force.</summary>
    public int Limit { get; private set; } = int.MaxValue;

    /// <summary>Whether the limit is lowered below the announced one (<see cref="Shrink"/>): the process ran out of descriptors.</summary>
    public bool Short => Limit < _announced;

    /// <summary>
    /// The listen backlog for a listener of this process: a quarter of the descriptors reserved (16 to 1024). Akka.IO's
    /// listener accepts every connection waiting in the backlog at once, each taking a descriptor before it can be
    /// counted, so the backlog, not the budget, bounds the descriptors a burst of connections takes.
    /// </summary>
    public int AcceptBacklog => Math.Clamp(_reserved / 4, 16, 1024);

    /// <summary>
    /// <paramref name="node"/> uses this admission with <paramref name="limits"/> (again: it counts once; the process's
    /// limits become the smaller of those in force and these).
    /// </summary>
    public void Join(TNode node, AdmissionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        var limit = (long)limits.ProcessMaxConnections;
        var reserve = limits.DescriptorReserve;
        if (limits.OpenFileLimit is { } files)
        {
            var held = Math.Max(0, limits.OpenDescriptors - Count);
            reserve = (int)Math.Min(reserve, files / 4);
            limit = Math.Min(limit, files - held - reserve);
        }

        _reserved = Math.Max(_reserved, reserve);
        _announced = (int)Math.Max(1, Math.Min(_announced, limit));
        Limit = Math.Min(Limit, _announced);
        _turnLimit = Math.Min(_turnLimit, limits.MaxConcurrentHandshakes);
        if (_nodes.TryGetValue(node, out var known))
        {
            known.Limits = limits;
            UpdateAcceptRate(joining: null);
        }
        else
        {
            _nodes[node] = new Node(limits);
            UpdateAcceptRate(limits.AcceptHandshakeRate);
        }
    }

    /// <summary><paramref name="node"/> stopped: its connections are gone and it no longer counts for the fair share.</summary>
    public void Leave(TNode node)
    {
        ReleaseAll(node);
        _nodes.Remove(node);
        UpdateAcceptRate(joining: null);
    }

    /// <summary>Every connection of <paramref name="node"/> is gone (it restarted, or stopped).</summary>
    public void ReleaseAll(TNode node)
    {
        if (_nodes.TryGetValue(node, out var known))
        {
            foreach (var id in known.Seats.ToList())
            {
                Closed(id);
            }
        }
    }

    /// <summary>Connections of <paramref name="node"/> counted against its <c>max-connections</c> (those being closed are not).</summary>
    public int Connections(TNode node) => _nodes.TryGetValue(node, out var known) ? known.Counted : 0;

    /// <summary>Process slots <paramref name="node"/> holds.</summary>
    public int Slots(TNode node) => _nodes.TryGetValue(node, out var known) ? known.Slots : 0;

    /// <summary>
    /// Whether <paramref name="node"/> may open one more connection (<paramref name="dial"/>, or accept one from
    /// <paramref name="group"/>: an address group the group limits count, null when exempt). An accept from a group
    /// holding <c>max-accepted-per-group</c> is refused. When the node's <c>max-connections</c> or the process budget
    /// is full, <paramref name="idle"/> (the node's connection idle longest with no request in flight, or null) is to
    /// be closed to make room: it no longer counts, and when the process is full its slot passes to the new one. With
    /// no idle connection, a node below its fair share of a full process borrows a slot beyond the limit and the
    /// node holding the most slots is to close one of its idle connections (<see cref="Decision.Donor"/>): without
    /// that, in a 200-node join storm the nodes that joined last could not dial at all. While the process is short of
    /// descriptors, an accept that finds no slot is refused rather than closing an idle connection: each accept would
    /// otherwise spend a freed descriptor.
    /// </summary>
    public Decision Admit(TNode node, bool dial, string? group, long? idle)
    {
        if (!_nodes.TryGetValue(node, out var known))
        {
            return Decision.Refused("the node has not joined admission");
        }

        if (!dial && group is not null && known.Accepted.GetValueOrDefault(group) >= known.Limits.MaxAcceptedPerGroup)
        {
            return Decision.Refused($"its address group {group} already has {known.Limits.MaxAcceptedPerGroup} accepted connections (max-accepted-per-group)");
        }

        var slot = Count < Limit;
        if (!slot && !dial && Short)
        {
            return Decision.Refused($"the process is short of file descriptors and its {Limit} connections (lowered for rebind.max-backoff) are taken");
        }

        long? evict = null;
        TNode? donor = null;
        if (known.Counted >= known.Limits.MaxConnections || !slot)
        {
            if (idle is { } candidate && _seats.TryGetValue(candidate, out var victim) && victim.Node == node && !victim.Evicting)
            {
                MarkEvicting(victim);
                evict = candidate;
                if (!slot && victim.Slot)
                {
                    // The victim's descriptor is the new connection's: the process count does not change.
                    victim.Slot = false;
                    known.Slots--;
                    Count--;
                    slot = true;
                }
            }
            else if (!slot && known.Counted < known.Limits.MaxConnections && TryLend(node, known, out donor))
            {
                slot = true;
            }
            else
            {
                return Decision.Refused(slot
                    ? $"all {known.Limits.MaxConnections} connections (max-connections) have requests in flight"
                    : $"the {Limit} connections of this process (process-max-connections, ulimit -n) are taken and none of this node's is idle");
            }
        }

        var id = ++_lastId;
        var seat = new Seat(node, dial ? null : group) { Slot = slot };
        _seats[id] = seat;
        known.Seats.Add(id);
        known.Counted++;
        if (slot)
        {
            Count++;
            known.Slots++;
        }

        if (seat.Group is { } counted)
        {
            known.Accepted[counted] = known.Accepted.GetValueOrDefault(counted) + 1;
        }

        return new Decision(id, evict, donor, null);
    }

    /// <summary>The node closes connection <paramref name="id"/> on its own to make room: it no longer counts for the node.</summary>
    public void Evicting(long id)
    {
        if (_seats.TryGetValue(id, out var seat) && !seat.Evicting)
        {
            MarkEvicting(seat);
        }
    }

    /// <summary>Connection <paramref name="id"/> is gone: its slot, its room and its group's count are free. Safe to call more than once.</summary>
    public void Closed(long id)
    {
        if (!_seats.Remove(id, out var seat) || !_nodes.TryGetValue(seat.Node, out var known))
        {
            return;
        }

        known.Seats.Remove(id);
        if (!seat.Evicting)
        {
            known.Counted--;
        }

        if (seat.Slot)
        {
            Count--;
            known.Slots--;
        }

        if (seat.Group is { } group && --known.Accepted[group] == 0)
        {
            known.Accepted.Remove(group);
        }
    }

    /// <summary>
    /// The process ran out of descriptors below the limit (something else holds them): the limit drops to
    /// <paramref name="freeing"/> below the slots taken, so the connections being closed to free descriptors are not
    /// replaced, and accepts meanwhile are refused at once. Returns the new limit.
    /// </summary>
    public int Shrink(int freeing)
    {
        Limit = Math.Max(1, Math.Min(Limit, Count - freeing));
        return Limit;
    }

    /// <summary>The shortage is over: the limit is the announced one again.</summary>
    public void Restore() => Limit = _announced;

    private void MarkEvicting(Seat seat)
    {
        seat.Evicting = true;
        _nodes[seat.Node].Counted--;
    }

    // Below its fair share (the limit divided among the nodes) a node borrows a slot beyond the limit; the node holding
    // the most slots (more than its share) pays it back. At most a quarter of the reserve is lent at once, and nothing
    // while the process is short of descriptors.
    private bool TryLend(TNode borrower, Node known, out TNode? donor)
    {
        donor = null;
        var share = Math.Max(1, Limit / Math.Max(1, _nodes.Count));
        if (Short || Count >= Limit + (_reserved / 4) || known.Slots >= share)
        {
            return false;
        }

        var most = share;
        foreach (var (node, other) in _nodes)
        {
            if (other.Slots > most && node != borrower)
            {
                (donor, most) = (node, other.Slots);
            }
        }

        return donor is not null;
    }

    /// <summary>What <see cref="Admit"/> decided.</summary>
    /// <param name="Id">The admitted connection, to be named in <see cref="Closed"/> and <see cref="Evicting"/>.</param>
    /// <param name="Evict">The idle connection the node is to close to make room, or null.</param>
    /// <param name="Donor">The node that is to close an idle connection to pay back a lent slot, or null.</param>
    /// <param name="Refusal">Why the connection is refused (to be closed at once, or the dial failed), or null when admitted.</param>
    public sealed record Decision(long Id, long? Evict, TNode? Donor, string? Refusal)
    {
        /// <summary>Whether the connection may open.</summary>
        public bool Admitted => Refusal is null;

        internal static Decision Refused(string reason) => new(0, null, null, reason);
    }

    private sealed class Node(AdmissionLimits limits)
    {
        public AdmissionLimits Limits { get; set; } = limits;

        public HashSet<long> Seats { get; } = new();

        public Dictionary<string, int> Accepted { get; } = new();

        public int Counted { get; set; }

        public int Slots { get; set; }
    }

    private sealed class Seat(TNode node, string? group)
    {
        public TNode Node { get; } = node;

        public string? Group { get; } = group;

        public bool Slot { get; set; }

        public bool Evicting { get; set; }
    }
}
