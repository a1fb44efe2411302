using Drogulus.Core.Identity;

namespace Drogulus.Core.Routing;

/// <summary>An immutable copy of one k-bucket, for status pages and persistence.</summary>
/// <param name="Range">The bucket's key range.</param>
/// <param name="Contacts">Its contacts, least recently seen first.</param>
/// <param name="ReplacementCache">Its replacement cache, most recently seen last.</param>
/// <param name="LastTouched">When a lookup last used the bucket.</param>
public sealed record BucketSnapshot(
    KeyRange Range,
    IReadOnlyList<Contact> Contacts,
    IReadOnlyList<Contact> ReplacementCache,
    DateTimeOffset LastTouched);
