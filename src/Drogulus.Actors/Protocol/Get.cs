using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Protocol;

/// <summary>Reads the item under <paramref name="Key"/>: the local store first, then a FindValue lookup.</summary>
public sealed record Get(Key Key) : IDrogulusMessage;

/// <summary>A live, valid item was found.</summary>
public sealed record ValueFound(SignedItem Item, LookupStats Stats) : IGetReply;

/// <summary>The lookup completed without finding the item.</summary>
public sealed record ValueNotFound(Key Key, LookupStats Stats) : IGetReply;

/// <summary>The lookup could not run or timed out.</summary>
public sealed record GetFailed(Key Key, string Reason) : IGetReply;
