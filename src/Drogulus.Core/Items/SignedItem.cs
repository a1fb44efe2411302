using System.Collections.Immutable;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Items;

/// <summary>
/// A value signed by its publisher (PROTOCOL §3). Immutable. <see cref="Value"/> holds the payload as
/// canonical msgpack bytes, so the same item gives the same digest on every node.
/// </summary>
public sealed partial class SignedItem : IEquatable<SignedItem>
{
    private readonly byte[] _value;
    private readonly byte[] _signature;

    /// <summary>
    /// Assembles an item from its fields without checking anything; use <c>Create</c> to sign a
    /// new item and <c>Validate</c> to check a received one.
    /// </summary>
    /// <param name="key">construct_key(public_key, name).</param>
    /// <param name="value">The payload as canonical msgpack bytes.</param>
    /// <param name="timestamp">Publisher's clock, Unix seconds.</param>
    /// <param name="expires">Unix seconds after which the item is dead; <c>&lt;= 0</c> means never.</param>
    /// <param name="createdWith">Publisher's software version.</param>
    /// <param name="publicKey">Publisher's RSA public key as SubjectPublicKeyInfo PEM.</param>
    /// <param name="name">The publisher's name for the value.</param>
    /// <param name="meta">Publisher's metadata.</param>
    /// <param name="signature">RSASSA-PKCS1-v1_5 signature over the compound digest.</param>
    public SignedItem(
        Key key,
        ReadOnlySpan<byte> value,
        double timestamp,
        double expires,
        string createdWith,
        string publicKey,
        string name,
        IReadOnlyDictionary<string, string> meta,
        ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(createdWith);
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(meta);
        Key = key;
        _value = value.ToArray();
        Timestamp = timestamp;
        Expires = expires;
        CreatedWith = createdWith;
        PublicKey = publicKey;
        Name = name;
        Meta = meta.ToImmutableSortedDictionary(StringComparer.Ordinal);
        _signature = signature.ToArray();
    }

    /// <summary>construct_key(public_key, name).</summary>
    public Key Key { get; }

    /// <summary>The payload as canonical msgpack bytes.</summary>
    public ReadOnlyMemory<byte> Value => _value;

    /// <summary>Publisher's clock, Unix seconds; newer wins.</summary>
    public double Timestamp { get; }

    /// <summary>Unix seconds after which the item is dead; <c>&lt;= 0</c> means never.</summary>
    public double Expires { get; }

    /// <summary>Publisher's software version.</summary>
    public string CreatedWith { get; }

    /// <summary>Publisher's RSA public key, PEM SubjectPublicKeyInfo.</summary>
    public string PublicKey { get; }

    /// <summary>The publisher's name for the value.</summary>
    public string Name { get; }

    /// <summary>Publisher's metadata, ordered by key.</summary>
    public ImmutableSortedDictionary<string, string> Meta { get; }

    /// <summary>RSASSA-PKCS1-v1_5 signature, as long as the key's modulus.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>
    /// <paramref name="time"/> in Unix seconds, the unit of <see cref="Timestamp"/> and <see cref="Expires"/>
    /// (millisecond precision, as every node computes it).
    /// </summary>
    public static double UnixSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Whether the item is dead at <paramref name="nowUnixSeconds"/> (PROTOCOL §3 rule 3).</summary>
    public bool IsExpiredAt(double nowUnixSeconds) => Expires > 0 && Expires <= nowUnixSeconds;

    /// <inheritdoc />
    public bool Equals(SignedItem? other) =>
        other is not null
        && Key == other.Key
        && _value.AsSpan().SequenceEqual(other._value)
        && Timestamp.Equals(other.Timestamp)
        && Expires.Equals(other.Expires)
        && CreatedWith == other.CreatedWith
        && PublicKey == other.PublicKey
        && Name == other.Name
        && Meta.Count == other.Meta.Count
        && Meta.All(kv => other.Meta.TryGetValue(kv.Key, out var v) && v == kv.Value)
        && _signature.AsSpan().SequenceEqual(other._signature);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SignedItem);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Timestamp, Name);

    /// <inheritdoc />
    public override string ToString() => $"SignedItem({Key.ToShortString()}, name={Name}, ts={Timestamp})";
}
