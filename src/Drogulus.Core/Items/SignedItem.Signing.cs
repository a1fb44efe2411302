using Drogulus.Core.Wire;

namespace Drogulus.Core.Items;

/// <summary>Signing and validation of items (PROTOCOL §3).</summary>
public sealed partial class SignedItem
{
    /// <summary>The <c>created_with</c> this library writes unless told otherwise.</summary>
    public const string DefaultCreatedWith = "Drogulus.Actors 0.2";

    /// <summary>Default of <c>drogulus.min-rsa-key-bits</c>: low enough for the protocol's test vector.</summary>
    public const int DefaultMinRsaKeyBits = 1024;

    /// <summary>Default of <c>drogulus.max-rsa-key-bits</c>: a longer modulus fails rule 1 before any RSA operation.</summary>
    public const int DefaultMaxRsaKeyBits = 4096;

    /// <summary>
    /// Signs a new item: canonicalizes <paramref name="valueMsgpack"/>, sets <c>key</c> to
    /// construct_key(public key, <paramref name="name"/>) and signs the compound digest.
    /// </summary>
    /// <param name="publisher">The publisher's key pair.</param>
    /// <param name="name">The publisher's name for the value.</param>
    /// <param name="valueMsgpack">Exactly one msgpack value, in any valid encoding.</param>
    /// <param name="timestamp">Publisher's clock, Unix seconds.</param>
    /// <param name="expires">Unix seconds after which the item is dead; <c>&lt;= 0</c> means never.</param>
    /// <param name="meta">Publisher's metadata; none when null.</param>
    /// <param name="createdWith">Publisher's software version.</param>
    /// <exception cref="FormatException">when <paramref name="valueMsgpack"/> is not one valid msgpack value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">when a time is NaN or infinite.</exception>
    public static SignedItem Create(
        PublisherKey publisher,
        string name,
        ReadOnlyMemory<byte> valueMsgpack,
        double timestamp,
        double expires,
        IReadOnlyDictionary<string, string>? meta = null,
        string createdWith = DefaultCreatedWith)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(createdWith);
        ThrowIfNotFinite(timestamp, nameof(timestamp));
        ThrowIfNotFinite(expires, nameof(expires));
        meta ??= new Dictionary<string, string>();
        var value = CanonicalMsgPack.Canonicalize(valueMsgpack);
        var digest = ItemDigest.Compute(value, timestamp, expires, name, meta, createdWith);
        var signature = publisher.SignDigest(digest);
        var publicKey = publisher.PublicKeyPem;
        return new SignedItem(publisher.KeyFor(name), value, timestamp, expires, createdWith, publicKey, name, meta, signature);
    }

    /// <summary>Signs a new item whose value is the string <paramref name="value"/> (a msgpack raw string).</summary>
    /// <inheritdoc cref="Create(PublisherKey, string, ReadOnlyMemory{byte}, double, double, IReadOnlyDictionary{string, string}?, string)"/>
    public static SignedItem Create(
        PublisherKey publisher,
        string name,
        string value,
        double timestamp,
        double expires,
        IReadOnlyDictionary<string, string>? meta = null,
        string createdWith = DefaultCreatedWith)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Create(publisher, name, CanonicalMsgPack.Encode(value), timestamp, expires, meta, createdWith);
    }

    /// <summary>The compound digest <c>D</c> of PROTOCOL §3 (64 bytes).</summary>
    public byte[] ComputeDigest() => ItemDigest.Compute(_value, Timestamp, Expires, Name, Meta, CreatedWith);

    /// <summary>
    /// Rule 1 of PROTOCOL §3: whether <see cref="Signature"/> verifies under <see cref="PublicKey"/>.
    /// An unparseable or non-RSA key, one shorter than <paramref name="minRsaKeyBits"/> or longer than
    /// <paramref name="maxRsaKeyBits"/>, or one whose public exponent is above 32 bits, gives false.
    /// </summary>
    public bool VerifySignature(int minRsaKeyBits = DefaultMinRsaKeyBits, int maxRsaKeyBits = DefaultMaxRsaKeyBits)
    {
        Span<byte> digest = stackalloc byte[ItemDigest.Length];
        ItemDigest.Compute(_value, Timestamp, Expires, Name, Meta, CreatedWith, digest);
        return RsaPublicKeyCache.Shared.Verify(PublicKey, digest, _signature, minRsaKeyBits, maxRsaKeyBits);
    }

    /// <summary>
    /// Validates the item as PROTOCOL §3 orders: signature (error 6), then
    /// <c>key == construct_key(public_key, name)</c> (error 7), then <c>expires</c> only (error 9); the first
    /// failure decides. No age or clock-skew bound: see the overload with an <see cref="ItemLifetime"/>,
    /// which every node path uses.
    /// </summary>
    /// <param name="nowUnixSeconds">The validating node's clock, Unix seconds.</param>
    /// <param name="minRsaKeyBits">Shortest RSA modulus accepted (<c>drogulus.min-rsa-key-bits</c>).</param>
    /// <param name="maxRsaKeyBits">Longest RSA modulus accepted (<c>drogulus.max-rsa-key-bits</c>).</param>
    public ItemValidation Validate(double nowUnixSeconds, int minRsaKeyBits = DefaultMinRsaKeyBits, int maxRsaKeyBits = DefaultMaxRsaKeyBits) =>
        Validate(nowUnixSeconds, ItemLifetime.Unbounded, minRsaKeyBits, maxRsaKeyBits);

    /// <summary>
    /// Validates the item as PROTOCOL §3 orders: signature (error 6), then
    /// <c>key == construct_key(public_key, name)</c> (error 7), then rule 3 (error 9): dead at the earlier
    /// of <c>expires</c> and <c>timestamp + max-item-age</c>, or timestamped more than <c>max-clock-skew</c>
    /// ahead (<see cref="ItemValidation.TimestampInTheFuture"/>); the first failure decides.
    /// </summary>
    /// <param name="nowUnixSeconds">The validating node's clock, Unix seconds.</param>
    /// <param name="lifetime"><c>max-item-age</c> and <c>max-clock-skew</c>.</param>
    /// <param name="minRsaKeyBits">Shortest RSA modulus accepted (<c>drogulus.min-rsa-key-bits</c>).</param>
    /// <param name="maxRsaKeyBits">Longest RSA modulus accepted (<c>drogulus.max-rsa-key-bits</c>).</param>
    public ItemValidation Validate(double nowUnixSeconds, ItemLifetime lifetime, int minRsaKeyBits, int maxRsaKeyBits)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        if (!VerifySignature(minRsaKeyBits, maxRsaKeyBits))
        {
            return ItemValidation.Fail(ErrorCode.UnverifiableProvenance);
        }

        if (Key != Identity.Key.For(PublicKey, Name))
        {
            return ItemValidation.Fail(ErrorCode.KeyMismatch);
        }

        return Rule3(nowUnixSeconds, lifetime);
    }

    /// <summary>Rule 3 alone (error 9): dead, or timestamped more than <c>max-clock-skew</c> ahead.</summary>
    public ItemValidation Rule3(double nowUnixSeconds, ItemLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        if (lifetime.IsExpiredAt(Timestamp, Expires, nowUnixSeconds))
        {
            return ItemValidation.Fail(ErrorCode.ExpiredValue);
        }

        return lifetime.IsInTheFuture(Timestamp, nowUnixSeconds) ? ItemValidation.TimestampInTheFuture : ItemValidation.Ok;
    }

    private static void ThrowIfNotFinite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "A time in Unix seconds must be finite.");
        }
    }
}
