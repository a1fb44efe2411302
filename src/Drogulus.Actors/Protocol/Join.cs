namespace Drogulus.Actors.Protocol;

/// <summary>
/// Joins the network through <paramref name="Seeds"/> (PROTOCOL §10): each seed is <c>host:port</c> or
/// <c>&lt;node id hex&gt;@host:port</c>. At least one seed is required.
/// </summary>
public sealed record Join(IReadOnlyList<string> Seeds) : IDrogulusMessage;

/// <summary>The node joined; its routing table now holds <paramref name="ContactCount"/> contacts.</summary>
public sealed record Joined(int ContactCount) : IJoinReply;

/// <summary>The join failed (no seed given, no seed parsed, or no seed answered).</summary>
public sealed record JoinFailed(string Reason) : IJoinReply;
