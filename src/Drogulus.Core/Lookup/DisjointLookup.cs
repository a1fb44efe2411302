using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Lookup;

/// <summary>
/// A lookup over <c>d = disjoint-paths</c> node-disjoint paths (PROTOCOL §9, "Disjoint paths"; S/Kademlia,
/// Baumgart and Mies 2007, section 4.4), composed of d <see cref="LookupState"/> paths. The k closest known
/// contacts are dealt to the paths in turn (closest to path 1, next to path 2, ...); each path runs rules 2–6
/// with its own shortlist and <c>max(1, ceil(alpha / d))</c> RPCs in flight; a node named in a reply to one
/// path that another path has asked or holds is withheld from it, so every node is used by one path only.
/// A plain <c>findvalue</c> ends with the first valid value any path receives; <c>findnode</c> and newest mode
/// end when every path is complete, with the k closest nodes that answered over all paths. An attacker who
/// holds every node of one path cannot stop the others: to hide a key it must sit on all d paths.
/// With d = 1 this is exactly one <see cref="LookupState"/>. Used like it: call <see cref="NextRequests"/>
/// after every event until <see cref="Status"/> is no longer running. Not thread-safe.
/// </summary>
public sealed class DisjointLookup
{
    private readonly LookupState[] _paths;
    private readonly int _k;
    private readonly SignedItem? _localItem;
    private readonly int _maxPerGroup;
    private readonly bool _exemptPrivate;

    // Which path holds (has in its shortlist, asked, or was dealt) each node: a node is used by one path only.
    private readonly Dictionary<Key, int> _claimedBy = new();
    private LookupStatus _status = LookupStatus.Running;
    private LookupFailure _failure = LookupFailure.None;
    private int _resultPath = -1;

    /// <summary>Starts a lookup over <paramref name="paths"/> disjoint paths; the other parameters are <see cref="LookupState"/>'s.</summary>
    /// <param name="ownId">This node's id; never contacted, never returned.</param>
    /// <param name="target">The id or key looked up.</param>
    /// <param name="kind">Whether a value is wanted.</param>
    /// <param name="initial">The k closest contacts known to the routing table, in any order.</param>
    /// <param name="k">Result size (PROTOCOL §1).</param>
    /// <param name="alpha">RPCs kept in flight by the whole lookup when <paramref name="paths"/> is 1.</param>
    /// <param name="paths"><c>disjoint-paths</c>, at least 1.</param>
    /// <param name="now">Start time.</param>
    /// <param name="newest">Run a <c>findvalue</c> lookup in newest mode.</param>
    /// <param name="localItem">Newest mode only: the node's own live copy, counted once as an answer (by path 1).</param>
    /// <param name="stallAfter">Each path's stall time (see <see cref="LookupState"/>); null never stalls an RPC.</param>
    /// <param name="maxPerGroup">Each path's group cap on its k closest, and the result's (see <see cref="LookupState"/>).</param>
    /// <param name="exemptPrivate"><c>diversity-exempt-private</c>.</param>
    public DisjointLookup(
        Key ownId,
        Key target,
        LookupKind kind,
        IReadOnlyList<Contact> initial,
        int k,
        int alpha,
        int paths,
        DateTimeOffset now,
        bool newest = false,
        SignedItem? localItem = null,
        TimeSpan? stallAfter = null,
        int maxPerGroup = int.MaxValue,
        bool exemptPrivate = true)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(paths, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 1);
        _k = k;
        _maxPerGroup = maxPerGroup;
        _exemptPrivate = exemptPrivate;
        _localItem = localItem;
        Target = target;
        Kind = kind;
        // Dealt in turn from the k closest; a contact beyond them is left to whichever path later hears of it
        // (as LookupState itself keeps only the k closest of what it is given). With fewer known contacts than
        // paths (a join from one seed), only as many paths run as there are contacts: a path dealt nothing would
        // be complete at once and its share of alpha lost.
        var byDistance = Comparer<Contact>.Create((a, b) => target.CompareDistance(a.Id, b.Id));
        var dealt = GroupCap.Take(initial.Where(c => c.Id != ownId).DistinctBy(c => c.Id).Order(byDistance), k, maxPerGroup, exemptPrivate);
        paths = Math.Max(1, Math.Min(paths, dealt.Length));
        if (paths == 1)
        {
            _paths = [new LookupState(ownId, target, kind, initial, k, alpha, now, newest, localItem, stallAfter, maxPerGroup, exemptPrivate)];
            return;
        }

        var perPath = Math.Max(1, (alpha + paths - 1) / paths);
        _paths = new LookupState[paths];
        for (var p = 0; p < paths; p++)
        {
            var share = dealt.Where((_, i) => i % paths == p).ToArray();
            foreach (var contact in share)
            {
                _claimedBy[contact.Id] = p;
            }

            // A path knows only its share as routing-table contacts (§7 address pinning); the table hands a
            // lookup its k closest, so only a join's extra seeds beyond them go unpinned.
            _paths[p] = new LookupState(ownId, target, kind, share, k, perPath, now, newest, p == 0 ? localItem : null, stallAfter, maxPerGroup, exemptPrivate);
        }

        Update();
    }

    /// <summary>The id or key looked up.</summary>
    public Key Target { get; }

    /// <summary>Whether a value is wanted.</summary>
    public LookupKind Kind { get; }

    /// <summary>The number of disjoint paths.</summary>
    public int PathCount => _paths.Length;

    /// <summary>Where the lookup stands.</summary>
    public LookupStatus Status => _paths.Length == 1 ? _paths[0].Status : _status;

    /// <summary>Whether this is a newest-mode lookup.</summary>
    public bool Newest => _paths[0].Newest;

    /// <summary>Why the lookup failed; <see cref="LookupFailure.None"/> unless it failed.</summary>
    public LookupFailure Failure => _paths.Length == 1 ? _paths[0].Failure : _failure;

    /// <summary>On success of <c>findnode</c> or newest mode: the k closest nodes that answered over all paths, closest first.</summary>
    public IReadOnlyList<Contact> Closest { get; private set; } = [];

    /// <summary>On success of a <c>findvalue</c>: the item (newest mode: the newest over all paths).</summary>
    public SignedItem? Item { get; private set; }

    /// <summary>Plain <c>findvalue</c>: the closest node that answered the successful path with <c>nodes</c> (rule 4).</summary>
    public Contact? CachingTarget => _resultPath >= 0 && !Newest ? _paths[_resultPath].CachingTarget : null;

    /// <summary>Newest mode: the read-repair targets over all paths, closest first.</summary>
    public IReadOnlyList<Contact> RepairTargets { get; private set; } = [];

    /// <summary>Newest mode: valid copies seen over all paths, the local item once.</summary>
    public int CopiesSeen => _paths.Sum(p => p.CopiesSeen);

    /// <summary>Newest mode: copies seen that are older than <see cref="Item"/>.</summary>
    public int StaleCopies { get; private set; }

    /// <summary>Newest mode: whether the local item is older than <see cref="Item"/>.</summary>
    public bool LocalCopyStale => _localItem is not null && Item is not null && _localItem.Timestamp < Item.Timestamp;

    /// <summary>RPCs in flight over all paths.</summary>
    public int InFlight => Status == LookupStatus.Running ? _paths.Sum(p => p.InFlight) : 0;

    /// <summary>The cost so far: RPCs sent and answered summed over the paths, the deepest round, the longest path.</summary>
    public LookupStats Stats
    {
        get
        {
            var all = _paths.Select(p => p.Stats).ToArray();
            var duration = all.Max(s => s.Duration);
            return new LookupStats(all.Sum(s => s.RpcsSent), all.Sum(s => s.RpcsAnswered), all.Max(s => s.Rounds), duration);
        }
    }

    /// <summary>When the earliest RPC still counting against a path's alpha will have stalled; null when none will.</summary>
    public DateTimeOffset? NextStallAt =>
        Status != LookupStatus.Running ? null : _paths.Select(p => p.NextStallAt).Where(t => t is not null).Min();

    /// <summary>Marks stalled RPCs on every running path (see <see cref="LookupState.OnStallCheck"/>); returns how many stalled now.</summary>
    public int OnStallCheck(DateTimeOffset now) =>
        Status != LookupStatus.Running ? 0 : _paths.Where(p => p.Status == LookupStatus.Running).Sum(p => p.OnStallCheck(now));

    /// <summary>When the RPC to <paramref name="responder"/> still in flight was sent; null when none is.</summary>
    public DateTimeOffset? SentAt(Key responder) => PathOf(responder) is { } p ? _paths[p].SentAt(responder) : null;

    /// <summary>Rule 2 on every running path: the requests to send now. Empty once the lookup finished.</summary>
    public IReadOnlyList<Contact> NextRequests(DateTimeOffset now)
    {
        if (_paths.Length == 1)
        {
            var single = _paths[0].NextRequests(now);
            Update();
            return single;
        }

        if (_status != LookupStatus.Running)
        {
            return [];
        }

        List<Contact>? batch = null;
        foreach (var path in _paths)
        {
            if (path.Status == LookupStatus.Running)
            {
                var next = path.NextRequests(now);
                if (next.Count > 0)
                {
                    (batch ??= []).AddRange(next);
                }
            }
        }

        return batch ?? (IReadOnlyList<Contact>)[];
    }

    /// <summary>Rule 3 on the responder's path: its contacts, less those another path holds, join that path's shortlist.</summary>
    public LookupEventResult OnNodes(Key responder, IReadOnlyList<Contact> contacts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        if (PathOf(responder) is not { } p)
        {
            return LookupEventResult.Ignored;
        }

        IReadOnlyList<Contact> admitted = contacts;
        if (_paths.Length > 1)
        {
            var own = new List<Contact>(contacts.Count);
            foreach (var contact in contacts)
            {
                if (!_claimedBy.TryGetValue(contact.Id, out var holder))
                {
                    _claimedBy[contact.Id] = p;
                    own.Add(contact);
                }
                else if (holder == p)
                {
                    own.Add(contact);
                }
            }

            admitted = own;
        }

        var result = _paths[p].OnNodes(responder, admitted, now);
        Update();
        return result;
    }

    /// <summary>Rules 4 and 5 on the responder's path (see <see cref="LookupState.OnValue(Key, SignedItem, ItemValidation, DateTimeOffset)"/>).</summary>
    public LookupEventResult OnValue(Key responder, SignedItem item, ItemValidation validation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (PathOf(responder) is not { } p)
        {
            // Not in flight on any running path: the misbehaviour is still reported, as LookupState does.
            return new LookupEventResult(false, Misbehaved(item, validation));
        }

        var result = _paths[p].OnValue(responder, item, validation, now);
        Update();
        return result;
    }

    /// <summary>Rule 5 on the responder's path: an error, a timeout or a connection failure.</summary>
    public LookupEventResult OnFailure(Key responder, DateTimeOffset now)
    {
        if (PathOf(responder) is not { } p)
        {
            return LookupEventResult.Ignored;
        }

        var result = _paths[p].OnFailure(responder, now);
        Update();
        return result;
    }

    /// <summary>Rule 7: <c>lookup-timeout</c> passed; a lookup still running fails.</summary>
    public LookupEventResult OnLookupTimeout(DateTimeOffset now)
    {
        if (Status != LookupStatus.Running)
        {
            return LookupEventResult.Ignored;
        }

        foreach (var path in _paths)
        {
            path.OnLookupTimeout(now);
        }

        if (_paths.Length > 1)
        {
            End(LookupStatus.Failed, LookupFailure.Timeout);
        }

        Update();
        return LookupEventResult.Accepted;
    }

    private bool Misbehaved(SignedItem item, ItemValidation validation)
    {
        var wanted = Kind == LookupKind.FindValue && item.Key == Target;
        return !(validation.IsValid && wanted) && !(wanted && validation.Error == Wire.ErrorCode.ExpiredValue);
    }

    // The running path on which the responder's RPC is in flight; null when none (a late or unknown reply).
    private int? PathOf(Key responder)
    {
        if (_paths.Length == 1)
        {
            return 0;
        }

        if (_status != LookupStatus.Running || !_claimedBy.TryGetValue(responder, out var p) || _paths[p].Status != LookupStatus.Running)
        {
            return null;
        }

        return p;
    }

    // After every event: the result of one path, or of all of them (PROTOCOL §9, "Disjoint paths").
    private void Update()
    {
        if (_paths.Length == 1)
        {
            var only = _paths[0];
            if (only.Status != LookupStatus.Running)
            {
                Closest = only.Closest;
                Item = only.Item;
                RepairTargets = only.RepairTargets;
                StaleCopies = only.StaleCopies;
                _resultPath = 0;
            }

            return;
        }

        if (_status != LookupStatus.Running)
        {
            return;
        }

        if (Kind == LookupKind.FindValue && !Newest)
        {
            for (var p = 0; p < _paths.Length; p++)
            {
                if (_paths[p].Status == LookupStatus.Succeeded && _paths[p].Item is { } found)
                {
                    Item = found;
                    _resultPath = p;
                    End(LookupStatus.Succeeded, LookupFailure.None);
                    return;
                }
            }
        }

        if (_paths.Any(p => p.Status == LookupStatus.Running))
        {
            return;
        }

        var byDistance = Comparer<Contact>.Create((a, b) => Target.CompareDistance(a.Id, b.Id));
        Closest = GroupCap.Take(_paths.SelectMany(p => p.Closest).DistinctBy(c => c.Id).Order(byDistance), _k, _maxPerGroup, _exemptPrivate);
        if (Newest)
        {
            FinishNewest(byDistance);
            return;
        }

        if (Kind == LookupKind.FindValue)
        {
            End(LookupStatus.Failed, CombinedFailure(LookupFailure.ValueNotFound));
            return;
        }

        if (Closest.Count > 0)
        {
            End(LookupStatus.Succeeded, LookupFailure.None);
        }
        else
        {
            End(LookupStatus.Failed, CombinedFailure(LookupFailure.NoPeerAnswered));
        }
    }

    // Newest mode over the paths: the newest item of any path; a path whose own newest is older than it
    // repairs every node among its closest, one whose newest is it repairs what it would have repaired.
    private void FinishNewest(Comparer<Contact> byDistance)
    {
        var newest = _paths.Select(p => p.Item).OfType<SignedItem>().MaxBy(i => i.Timestamp);
        if (newest is null)
        {
            End(LookupStatus.Failed, CombinedFailure(LookupFailure.ValueNotFound));
            return;
        }

        Item = newest;
        var closest = Closest.Select(c => c.Id).ToHashSet();
        var repairs = new List<Contact>();
        var stale = 0;
        foreach (var path in _paths)
        {
            var current = path.Item is { } own && own.Timestamp >= newest.Timestamp;
            repairs.AddRange((current ? path.RepairTargets : path.Closest).Where(c => closest.Contains(c.Id)));
            stale += current ? path.StaleCopies : path.CopiesSeen;
        }

        RepairTargets = repairs.DistinctBy(c => c.Id).Order(byDistance).ToArray();
        StaleCopies = stale;
        End(LookupStatus.Succeeded, LookupFailure.None);
    }

    // Every path ran empty: "routing table empty" only when no path had anyone to ask.
    private LookupFailure CombinedFailure(LookupFailure otherwise)
    {
        if (_paths.All(p => p.Failure == LookupFailure.RoutingTableEmpty))
        {
            return LookupFailure.RoutingTableEmpty;
        }

        return _paths.Any(p => p.Stats.RpcsAnswered > 0) ? otherwise : LookupFailure.NoPeerAnswered;
    }

    private void End(LookupStatus status, LookupFailure failure)
    {
        _status = status;
        _failure = failure;
    }
}
