namespace Drogulus.Core.Lookup;

/// <summary>What an event did to a lookup.</summary>
/// <param name="Applied">False when the event was ignored: a reply from a peer not in flight (late or
/// unknown), or any event after the lookup finished.</param>
/// <param name="BlacklistResponder">True when the responder sent a value that PROTOCOL §7 says gets it
/// blacklisted (invalid, for another key, or a <c>value</c> to a <c>findnode</c>); reported even when
/// the event is otherwise ignored, because the misbehaviour happened regardless.</param>
/// <param name="ChargeContact">For a timeout or connection failure: true when the address dialled was the
/// contact's routing-table address, so the failure counts against the contact (PROTOCOL §7); false for
/// an address learnt from someone else's <c>nodes</c> reply, which is charged to nobody.</param>
public readonly record struct LookupEventResult(bool Applied, bool BlacklistResponder, bool ChargeContact = false)
{
    /// <summary>The event was ignored.</summary>
    public static LookupEventResult Ignored => new(false, false);

    /// <summary>The event changed the lookup.</summary>
    public static LookupEventResult Accepted => new(true, false);
}
