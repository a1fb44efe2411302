using Drogulus.Core.Identity;

namespace Drogulus.Actors.Protocol;

/// <summary>
/// Asks a <see cref="Node.KeepPublishedActor"/> to keep the value named <paramref name="Name"/> published: it signs
/// it with its publisher key and puts it now (or, with <paramref name="PutNow"/> false, one interval from now, for
/// a value just put elsewhere), then again every <c>keep-alive-interval</c> with a newer timestamp, until told to
/// stop (PROTOCOL §10). Answered with <see cref="KeptPublished"/>.
/// </summary>
/// <param name="Name">The publisher's name for the value.</param>
/// <param name="Value">The value as canonical msgpack bytes.</param>
/// <param name="Meta">The publisher's metadata; none when null.</param>
/// <param name="PutNow">Whether to sign and put at once.</param>
public sealed record KeepPublished(string Name, ReadOnlyMemory<byte> Value, IReadOnlyDictionary<string, string>? Meta = null, bool PutNow = true) : IDrogulusMessage;

/// <summary>The value is kept published under <paramref name="Key"/>.</summary>
public sealed record KeptPublished(Key Key) : IDrogulusMessage;

/// <summary>Stops putting the value named <paramref name="Name"/> again; answered with <see cref="StoppedPublishing"/>.
/// Copies already stored age out at <c>max-item-age</c>.</summary>
public sealed record StopPublishing(string Name) : IDrogulusMessage;

/// <summary>Answer to <see cref="StopPublishing"/>: <paramref name="WasKept"/> is false when no value of that name was kept.</summary>
public sealed record StoppedPublishing(Key Key, bool WasKept) : IDrogulusMessage;
