using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Lookup;

/// <summary>
/// The Kademlia node lookup (iterative <c>FIND_NODE</c> / <c>FIND_VALUE</c>) of PROTOCOL §9 as a pure state
/// machine, after rust-libp2p's <c>ClosestPeersIter</c>: no I/O and no timers. The caller sends the requests
/// that <see cref="NextRequests"/> hands out, feeds every outcome back through the <c>On…</c> events
/// (including per-RPC timeouts as <see cref="OnFailure"/> and <c>lookup-timeout</c> as
/// <see cref="OnLookupTimeout"/>), and calls <see cref="NextRequests"/> again after each event until
/// <see cref="Status"/> is no longer <see cref="LookupStatus.Running"/>. A <c>findvalue</c> lookup runs
/// either plainly (the first valid copy ends it, rule 4) or in newest mode (it collects copies until rule 6
/// and names the read-repair targets). As in <c>ClosestPeersIter</c>, an RPC outstanding longer than the
/// stall time (when one is given) stops counting against alpha, so the lookup asks the next member instead
/// of waiting on a slow peer; it is still in flight for rule 6 and its late answer counts as any other.
/// The caller checks for stalls (<see cref="OnStallCheck"/>) at <see cref="NextStallAt"/>. Not thread-safe.
/// </summary>
public sealed partial class LookupState
{
    private readonly Key _ownId;
    private readonly int _k;
    private readonly int _alpha;
    private readonly Shortlist _shortlist;
    private readonly Dictionary<Key, Contact> _known = new();
    private readonly DateTimeOffset _startedAt;
    private readonly NewestCopies? _copies;
    private DateTimeOffset _lastEventAt;
    private readonly TimeSpan? _stallAfter;
    private int _inFlight;
    private int _stalled;
    private int _rpcsSent;
    private int _rpcsAnswered;
    private int _rounds;

    /// <summary>Starts a lookup (rule 1). Nothing is sent until <see cref="NextRequests"/> is called.</summary>
    /// <param name="ownId">This node's id; never contacted, never returned.</param>
    /// <param name="target">The id or key looked up.</param>
    /// <param name="kind">Whether a value is wanted.</param>
    /// <param name="initial">The k closest contacts known to the routing table, in any order.</param>
    /// <param name="k">Result size (PROTOCOL §1).</param>
    /// <param name="alpha">RPCs kept in flight (PROTOCOL §1).</param>
    /// <param name="now">Start time, for <see cref="Stats"/>.</param>
    /// <param name="newest">Run a <c>findvalue</c> lookup in newest mode (PROTOCOL §9, "Newest mode").</param>
    /// <param name="stallAfter">
    /// An RPC outstanding this long stops counting against alpha (see the class summary); null never stalls one.
    /// </param>
    /// <param name="localItem">
    /// Newest mode only: the live item this node holds under <paramref name="target"/>, which counts as one
    /// answer (PROTOCOL §10 get). With it, a lookup that has nobody to ask, or whose peers all fail,
    /// succeeds with this item instead of failing.
    /// </param>
    /// <param name="maxPerGroup">
    /// <c>max-per-group-in-bucket</c>: members of one address group among the k closest of rules 2 and 6 and the
    /// result (PROTOCOL §9 step 6); <see cref="int.MaxValue"/> for no cap (the first edition).
    /// </param>
    /// <param name="exemptPrivate"><c>diversity-exempt-private</c>: exempt addresses are not capped.</param>
    public LookupState(
        Key ownId,
        Key target,
        LookupKind kind,
        IReadOnlyList<Contact> initial,
        int k,
        int alpha,
        DateTimeOffset now,
        bool newest = false,
        SignedItem? localItem = null,
        TimeSpan? stallAfter = null,
        int maxPerGroup = int.MaxValue,
        bool exemptPrivate = true)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 1);
        if (newest && kind != LookupKind.FindValue)
        {
            throw new ArgumentException("Newest mode is a findvalue lookup.", nameof(newest));
        }

        if (localItem is not null && (!newest || localItem.Key != target))
        {
            throw new ArgumentException("A local item seeds only a newest-mode lookup of its own key.", nameof(localItem));
        }

        if (stallAfter is { } stall && stall <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(stallAfter), stallAfter, "A stall time is positive.");
        }

        _stallAfter = stallAfter;
        _copies = newest ? new NewestCopies(localItem) : null;
        _ownId = ownId;
        Target = target;
        Kind = kind;
        _k = k;
        _alpha = alpha;
        _startedAt = now;
        _lastEventAt = now;
        _shortlist = new Shortlist(target, maxPerGroup, exemptPrivate);
        // The shortlist starts as the k closest only: extra candidates passed in must not be marked as
        // failed, since a peer may still name them later.
        var byDistance = Comparer<Contact>.Create((a, b) => target.CompareDistance(a.Id, b.Id));
        var distinct = initial.Where(c => c.Id != ownId).DistinctBy(c => c.Id).ToArray();
        foreach (var contact in distinct)
        {
            // PROTOCOL §7: a contact the routing table knows is always dialled at the table's address.
            _known[contact.Id] = contact;
        }

        foreach (var contact in GroupCap.Take(distinct.Order(byDistance), k, maxPerGroup, exemptPrivate))
        {
            _shortlist.Add(contact, round: 1, known: true);
        }

        if (_shortlist.Members.Count == 0)
        {
            if (_copies?.Newest is not null)
            {
                SucceedWithNewest([], now);
            }
            else
            {
                Fail(LookupFailure.RoutingTableEmpty, now);
            }
        }
    }

    /// <summary>The id or key looked up.</summary>
    public Key Target { get; }

    /// <summary>Whether a value is wanted.</summary>
    public LookupKind Kind { get; }

    /// <summary>Where the lookup stands.</summary>
    public LookupStatus Status { get; private set; } = LookupStatus.Running;

    /// <summary>
    /// On success of a <c>findnode</c> or a newest-mode lookup: the k closest members that answered,
    /// closest first.
    /// </summary>
    public IReadOnlyList<Contact> Closest { get; private set; } = [];

    /// <summary>
    /// On success of a <c>findvalue</c>: the valid item found; in newest mode the one with the greatest
    /// <c>timestamp</c> among those received (the local item included).
    /// </summary>
    public SignedItem? Item { get; private set; }

    /// <summary>
    /// On success of a plain <c>findvalue</c>: the closest node that answered this lookup with <c>nodes</c>,
    /// to which the item is to be stored (rule 4); null when nobody did, and always null in newest mode.
    /// </summary>
    public Contact? CachingTarget { get; private set; }

    /// <summary>Why the lookup failed; <see cref="LookupFailure.None"/> unless <see cref="Status"/> is Failed.</summary>
    public LookupFailure Failure { get; private set; } = LookupFailure.None;

    /// <summary>The text of <see cref="Failure"/>, or null when the lookup has not failed.</summary>
    public string? FailureReason => Failure == LookupFailure.None ? null : LookupFailures.Describe(Failure);

    /// <summary>RPCs sent and not yet answered, failed or abandoned (stalled ones included).</summary>
    public int InFlight => _inFlight;

    /// <summary>RPCs in flight longer than the stall time, which no longer count against alpha.</summary>
    public int Stalled => _stalled;

    /// <summary>
    /// When the earliest RPC now counting against alpha will have stalled: the time to call
    /// <see cref="OnStallCheck"/>. Null without a stall time, with nothing counting, or once finished.
    /// </summary>
    public DateTimeOffset? NextStallAt
    {
        get
        {
            if (_stallAfter is not { } stall || Status != LookupStatus.Running || _inFlight == _stalled)
            {
                return null;
            }

            DateTimeOffset? earliest = null;
            foreach (var member in _shortlist.Members)
            {
                if (member.State == Shortlist.PeerState.InFlight && (earliest is null || member.SentAt < earliest))
                {
                    earliest = member.SentAt;
                }
            }

            return earliest + stall;
        }
    }

    /// <summary>The cost of the lookup so far.</summary>
    public LookupStats Stats => new(_rpcsSent, _rpcsAnswered, _rounds, Max(TimeSpan.Zero, _lastEventAt - _startedAt));

    /// <summary>
    /// Rule 2: marks as in flight, and returns, the closest not-yet-contacted members among the k closest
    /// so that at most alpha RPCs are in flight, stalled ones not counted. Members beyond the k closest are
    /// never asked while the k closest are pending, since only those decide completion (rule 6). Empty once
    /// the lookup finished.
    /// </summary>
    public IReadOnlyList<Contact> NextRequests(DateTimeOffset now)
    {
        if (Status != LookupStatus.Running || _inFlight - _stalled >= _alpha)
        {
            return [];
        }

        List<Contact>? batch = null;
        var members = _shortlist.Closest(_k);
        for (var i = 0; i < members.Count && _inFlight - _stalled < _alpha; i++)
        {
            var member = members[i];
            if (member.State != Shortlist.PeerState.NotContacted)
            {
                continue;
            }

            member.State = Shortlist.PeerState.InFlight;
            member.SentAt = now;
            _inFlight++;
            _rpcsSent++;
            _rounds = Math.Max(_rounds, member.Round);
            (batch ??= []).Add(member.Contact);
        }

        if (batch is not null)
        {
            _lastEventAt = now;
        }

        return batch ?? (IReadOnlyList<Contact>)[];
    }

    /// <summary>
    /// Rule 3: a <c>nodes</c> reply. The contacts, less this node, less peers that failed in this lookup
    /// and less those already listed, join the shortlist; the responder has answered.
    /// </summary>
    public LookupEventResult OnNodes(Key responder, IReadOnlyList<Contact> contacts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var member = InFlightMember(responder);
        if (member is null)
        {
            return LookupEventResult.Ignored;
        }

        _lastEventAt = now;
        Settle(member);
        member.State = Shortlist.PeerState.Answered;
        _rpcsAnswered++;
        foreach (var contact in contacts)
        {
            if (contact.Id == _ownId)
            {
                continue;
            }

            // A known id keeps its routing-table address whatever the reply says (PROTOCOL §7).
            if (_known.TryGetValue(contact.Id, out var known))
            {
                _shortlist.Add(known, member.Round + 1, known: true);
            }
            else
            {
                _shortlist.Add(contact, member.Round + 1);
            }
        }

        CheckComplete(now);
        return LookupEventResult.Accepted;
    }

    /// <summary>
    /// Rules 4 and 5: a <c>value</c> reply. A valid item for the target ends a plain <c>findvalue</c>
    /// lookup; in newest mode it is kept, the responder counts as having answered and the lookup goes on
    /// to rule 6. An invalid one (failing validation rule 1 or 2, as decided by the caller under
    /// PROTOCOL §7), one for another key, or any value in a <c>findnode</c> lookup counts as a failure of
    /// the responder and asks for it to be blacklisted. An item that fails only rule 3 (expired) is no
    /// misbehaviour: report it through <see cref="OnFailure"/> instead.
    /// </summary>
    public LookupEventResult OnValue(Key responder, SignedItem item, bool valid, DateTimeOffset now) =>
        OnValue(responder, item, valid ? ItemValidation.Ok : ItemValidation.Fail(Wire.ErrorCode.UnverifiableProvenance), now);

    /// <summary>
    /// Rules 4 and 5 with the validation result (PROTOCOL §7): a valid item for the target ends a
    /// <c>findvalue</c> lookup. A value for the target that fails only rule 3 (it expired on the way, or the
    /// clocks differ) is a plain failure of that RPC; any other invalid value, one for another key, or a
    /// value in a <c>findnode</c> lookup also asks for the responder to be blacklisted.
    /// </summary>
    public LookupEventResult OnValue(Key responder, SignedItem item, ItemValidation validation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        var wanted = Kind == LookupKind.FindValue && item.Key == Target;
        var acceptable = validation.IsValid && wanted;
        var blacklist = !acceptable && !(wanted && validation.Error == Wire.ErrorCode.ExpiredValue);
        var member = InFlightMember(responder);
        if (member is null)
        {
            return new LookupEventResult(false, blacklist);
        }

        _lastEventAt = now;
        if (!acceptable)
        {
            Drop(member, now);
            return new LookupEventResult(true, blacklist);
        }

        Settle(member);
        _rpcsAnswered++;
        if (_copies is not null)
        {
            KeepCopy(member, item, now);
            return LookupEventResult.Accepted;
        }

        Item = item;
        CachingTarget = _shortlist.Members.FirstOrDefault(m => m.State == Shortlist.PeerState.Answered)?.Contact;
        Finish(LookupStatus.Succeeded, now);
        return LookupEventResult.Accepted;
    }

    /// <summary>
    /// Rule 5: an error reply, a request timeout or a connection failure from the responder. The result's
    /// <see cref="LookupEventResult.ChargeContact"/> says whether a timeout or connection failure counts
    /// against the contact: only when the address dialled was its routing-table address (PROTOCOL §7).
    /// An error reply (Busy included) never counts, whatever the flag says.
    /// </summary>
    public LookupEventResult OnFailure(Key responder, DateTimeOffset now)
    {
        var member = InFlightMember(responder);
        if (member is null)
        {
            return LookupEventResult.Ignored;
        }

        _lastEventAt = now;
        Drop(member, now);
        return new LookupEventResult(true, false, ChargeContact: member.Known);
    }

    /// <summary>
    /// Marks as stalled every RPC outstanding for the stall time or longer, so that it no longer counts
    /// against alpha; call <see cref="NextRequests"/> next. Returns how many stalled now (none without a
    /// stall time).
    /// </summary>
    public int OnStallCheck(DateTimeOffset now)
    {
        if (_stallAfter is not { } stall || Status != LookupStatus.Running)
        {
            return 0;
        }

        var stalled = 0;
        foreach (var member in _shortlist.Members)
        {
            if (member.State == Shortlist.PeerState.InFlight && now - member.SentAt >= stall)
            {
                member.State = Shortlist.PeerState.Stalled;
                stalled++;
            }
        }

        _stalled += stalled;
        return stalled;
    }

    /// <summary>When the RPC to <paramref name="responder"/> now in flight (stalled or not) was sent; null if none is.</summary>
    public DateTimeOffset? SentAt(Key responder) => InFlightMember(responder)?.SentAt;

    /// <summary>Rule 7: <c>lookup-timeout</c> passed; a lookup still running fails.</summary>
    public LookupEventResult OnLookupTimeout(DateTimeOffset now)
    {
        if (Status != LookupStatus.Running)
        {
            return LookupEventResult.Ignored;
        }

        Fail(LookupFailure.Timeout, now);
        return LookupEventResult.Accepted;
    }

    private Shortlist.Member? InFlightMember(Key responder)
    {
        if (Status != LookupStatus.Running)
        {
            return null;
        }

        var member = _shortlist.Find(responder);
        return member is { State: Shortlist.PeerState.InFlight or Shortlist.PeerState.Stalled } ? member : null;
    }

    // The RPC to member is over (answered or failed): it leaves the in-flight count, and the stalled count
    // when it had stalled (it no longer held an alpha slot, so none is freed).
    private void Settle(Shortlist.Member member)
    {
        _inFlight--;
        if (member.State == Shortlist.PeerState.Stalled)
        {
            _stalled--;
        }
    }

    private void Drop(Shortlist.Member member, DateTimeOffset now)
    {
        Settle(member);
        _shortlist.Remove(member);
        CheckComplete(now);
    }

    // Rule 6, checked after every event so that a lookup with nothing left to ask never waits for rule 7.
    private void CheckComplete(DateTimeOffset now)
    {
        if (_inFlight > 0)
        {
            return;
        }

        var members = _shortlist.Members;
        if (members.Count == 0)
        {
            // Answered members are never removed, so an empty shortlist means nobody answered; in newest
            // mode the local item is then the only answer.
            if (_copies?.Newest is not null)
            {
                SucceedWithNewest([], now);
            }
            else
            {
                Fail(LookupFailure.NoPeerAnswered, now);
            }

            return;
        }

        members = _shortlist.Closest(_k);
        var count = members.Count;
        for (var i = 0; i < count; i++)
        {
            if (members[i].State != Shortlist.PeerState.Answered)
            {
                return;
            }
        }

        if (_copies?.Newest is not null)
        {
            SucceedWithNewest(members.Take(count).ToArray(), now);
            return;
        }

        if (Kind == LookupKind.FindValue)
        {
            Fail(LookupFailure.ValueNotFound, now);
            return;
        }

        var closest = new Contact[count];
        for (var i = 0; i < count; i++)
        {
            closest[i] = members[i].Contact;
        }

        Closest = closest;
        Finish(LookupStatus.Succeeded, now);
    }
    private void Fail(LookupFailure failure, DateTimeOffset now)
    {
        Failure = failure;
        Finish(LookupStatus.Failed, now);
    }

    private void Finish(LookupStatus status, DateTimeOffset now)
    {
        Status = status;
        _lastEventAt = now;

        // RPCs still out are abandoned: their replies will be ignored (rule 4).
        _inFlight = 0;
        _stalled = 0;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
