using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Protocol;

/// <summary>Finds the k nodes closest to <paramref name="Target"/> with a FindNode lookup.</summary>
public sealed record FindNodes(Key Target) : IDrogulusMessage;

/// <summary>The closest nodes that answered, closest first.</summary>
public sealed record NodesFound(Key Target, IReadOnlyList<Contact> Contacts, LookupStats Stats) : IFindNodesReply;

/// <summary>The lookup could not run or timed out.</summary>
public sealed record FindNodesFailed(Key Target, string Reason) : IFindNodesReply;
