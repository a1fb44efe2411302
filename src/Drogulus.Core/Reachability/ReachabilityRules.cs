namespace Drogulus.Core.Reachability;

/// <summary>The thresholds of <see cref="ReachabilityState"/> (PROTOCOL §10), from the node's settings.</summary>
/// <param name="AddressReporters">Peers that must report one external address before it is believed.</param>
/// <param name="AddressGroups">Address groups those reporters must come from.</param>
/// <param name="Successes">Successful dial-backs from distinct groups, with no failure between, that make a server.</param>
/// <param name="Failures">Failed dial-backs, with no success between, that send a server back to client.</param>
/// <param name="SleepThreshold">A timer firing this much later than due means the host slept.</param>
public sealed record ReachabilityRules(int AddressReporters, int AddressGroups, int Successes, int Failures, TimeSpan SleepThreshold);
