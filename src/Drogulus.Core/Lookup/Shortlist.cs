using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Lookup;

/// <summary>
/// The lookup shortlist of PROTOCOL §9: candidates kept sorted by XOR distance to the target, each with
/// the state of its RPC. Members removed after a failure (rule 5) are remembered so that they never
/// come back, whoever names them later. With a group cap, the "k closest" of rules 2 and 6 are the closest
/// members taking at most that many of one address group (exempt addresses not counted), as a bucket takes
/// them (PROTOCOL §8, §9): ids cost nothing and groups do, so Sybils of a few groups that are closer than
/// every honest node fill only their groups' share of the k closest, and the honest nodes behind them are
/// still asked, returned and stored at.
/// </summary>
internal sealed class Shortlist
{
    private readonly Key _target;
    private readonly List<Member> _members = [];
    private readonly Dictionary<Key, Member> _byId = [];
    private readonly HashSet<Key> _removed = [];
    private readonly HashSet<(Key Id, string Address, int Port)> _failedAddresses = [];
    private readonly int _maxPerGroup;
    private readonly bool _exemptPrivate;

    /// <summary>Creates an empty shortlist ordered by distance to <paramref name="target"/>.</summary>
    /// <param name="target">The id or key looked up.</param>
    /// <param name="maxPerGroup">Members of one address group among the k closest; <see cref="int.MaxValue"/> for no cap.</param>
    /// <param name="exemptPrivate"><c>diversity-exempt-private</c>.</param>
    public Shortlist(Key target, int maxPerGroup = int.MaxValue, bool exemptPrivate = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerGroup, 1);
        _target = target;
        _maxPerGroup = maxPerGroup;
        _exemptPrivate = exemptPrivate;
    }

    /// <summary>The members, closest first.</summary>
    public IReadOnlyList<Member> Members => _members;

    /// <summary>The member with <paramref name="id"/>, if present.</summary>
    public Member? Find(Key id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// Adds <paramref name="contact"/> unless it was removed before: a known contact (from the routing
    /// table) is removed for good, a learnt one only at the address where it failed, so that an honest
    /// peer giving the right address after a liar gave a wrong one still gets it asked (PROTOCOL §7). A
    /// contact already present keeps its entry and address; only its round drops if this path reached it
    /// in fewer hops.
    /// </summary>
    public void Add(Contact contact, int round, bool known = false)
    {
        if (_removed.Contains(contact.Id) || _failedAddresses.Contains((contact.Id, contact.Address, contact.Port)))
        {
            return;
        }

        if (_byId.TryGetValue(contact.Id, out var existing))
        {
            existing.Round = Math.Min(existing.Round, round);
            return;
        }

        var group = _maxPerGroup == int.MaxValue ? AddressGroup.Local : AddressGroup.Of(contact.Address, _exemptPrivate);
        var member = new Member(contact, round) { Known = known, Group = group };
        var index = IndexOf(contact.Id);
        _members.Insert(~index, member);
        _byId.Add(contact.Id, member);
    }

    /// <summary>
    /// The <paramref name="k"/> closest members, closest first, taking at most the group cap of one address
    /// group (exempt addresses not capped); without a cap, simply the first k.
    /// </summary>
    public IReadOnlyList<Member> Closest(int k)
    {
        if (_maxPerGroup == int.MaxValue)
        {
            return _members.Count <= k ? _members : _members.GetRange(0, k);
        }

        var window = new List<Member>(Math.Min(k, _members.Count));
        var counts = new Dictionary<AddressGroup, int>();
        foreach (var member in _members)
        {
            if (window.Count == k)
            {
                break;
            }

            if (!member.Group.IsExempt)
            {
                var inGroup = counts.GetValueOrDefault(member.Group);
                if (inGroup >= _maxPerGroup)
                {
                    continue;
                }

                counts[member.Group] = inGroup + 1;
            }

            window.Add(member);
        }

        return window;
    }

    /// <summary>
    /// Removes <paramref name="member"/>: for good when it is a known contact, otherwise only its address
    /// is remembered as failed (see <see cref="Add"/>).
    /// </summary>
    public void Remove(Member member)
    {
        _members.RemoveAt(IndexOf(member.Contact.Id));
        _byId.Remove(member.Contact.Id);
        if (member.Known)
        {
            _removed.Add(member.Contact.Id);
        }
        else
        {
            _failedAddresses.Add((member.Contact.Id, member.Contact.Address, member.Contact.Port));
        }
    }

    // Distinct ids have distinct XOR distances, so a binary search finds either the id or its slot.
    private int IndexOf(Key id)
    {
        int lo = 0, hi = _members.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = _target.CompareDistance(_members[mid].Contact.Id, id);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>One shortlist member.</summary>
    internal sealed class Member(Contact contact, int round)
    {
        /// <summary>The contact as first learned.</summary>
        public Contact Contact { get; } = contact;

        /// <summary>The hop depth at which the contact was reached (see <see cref="LookupStats.Rounds"/>).</summary>
        public int Round { get; set; } = round;

        /// <summary>Its address group, for the group cap (<see cref="AddressGroup.Local"/> without one).</summary>
        public AddressGroup Group { get; init; } = AddressGroup.Local;

        /// <summary>Whether the contact came from the routing table (its address is the table's), not from a <c>nodes</c> reply.</summary>
        public bool Known { get; init; }

        /// <summary>When its RPC was sent (meaningful once asked).</summary>
        public DateTimeOffset SentAt { get; set; }

        /// <summary>How far its RPC has got.</summary>
        public PeerState State { get; set; } = PeerState.NotContacted;

        /// <summary>In newest mode, the valid copy it answered with; null when it answered with <c>nodes</c>.</summary>
        public SignedItem? Copy { get; set; }
    }

    /// <summary>The RPC state of a member; failed members are removed instead.</summary>
    internal enum PeerState
    {
        /// <summary>Not asked yet.</summary>
        NotContacted,

        /// <summary>Asked, no reply yet.</summary>
        InFlight,

        /// <summary>Asked, no reply within the stall time: still awaited, but no longer counted against alpha.</summary>
        Stalled,

        /// <summary>Replied with <c>nodes</c> (or, in newest mode, with a valid <c>value</c>).</summary>
        Answered,
    }
}
