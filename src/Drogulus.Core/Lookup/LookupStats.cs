namespace Drogulus.Core.Lookup;

/// <summary>
/// What a lookup cost (PROTOCOL §9, last paragraph), so that benchmarks can compare it with other DHTs.
/// </summary>
/// <param name="RpcsSent">Requests handed out by <see cref="LookupState.NextRequests"/>.</param>
/// <param name="RpcsAnswered">Accepted replies that were <c>nodes</c> or a valid <c>value</c>; errors,
/// timeouts, invalid values and ignored late replies are not counted.</param>
/// <param name="Rounds">
/// Hop depth: a request to an initial contact is in round 1, and a request to a contact first learned
/// from a reply to a round-r request is in round r + 1 (the smallest such r when several peers name
/// it). This is the highest round of any request sent, which does not depend on how often the caller
/// polls <see cref="LookupState.NextRequests"/>.
/// </param>
/// <param name="Duration">From the start of the lookup to its end (or to the latest event while it
/// is still running).</param>
public sealed record LookupStats(int RpcsSent, int RpcsAnswered, int Rounds, TimeSpan Duration);
