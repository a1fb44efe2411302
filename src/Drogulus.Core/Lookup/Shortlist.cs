using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Lookup;

/// <summary>
/// The lookup shortlist of PROTOCOL §9: candidates kept sorted by XOR distance to the target, each with
/// the state of its RPC. Members removed after a failure (rule 5) are remembered so that they never
/// come back, whoever names them later.
/// </summary>
internal sealed class Shortlist
{
    private readonly Key _target;
    private readonly List<Member> _members = [];
    private readonly Dictionary<Key, Member> _byId = [];
    private readonly HashSet<Key> _removed = [];
    private readonly HashSet<(Key Id, string Address, int Port)> _failedAddresses = [];

    /// <summary>Creates an empty shortlist ordered by distance to <paramref name="target"/>.</summary>
    public Shortlist(Key target) => _target = target;

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

        var member = new Member(contact, round) { Known = known };
        var index = IndexOf(contact.Id);
        _members.Insert(~index, member);
        _byId.Add(contact.Id, member);
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
