using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Storage;

/// <summary>Items and times for the store-rule tests; signatures are dummies because the rules never check them.</summary>
internal static class TestItems
{
    public const string Pem = "-----BEGIN PUBLIC KEY-----\nstore-rule-tests\n-----END PUBLIC KEY-----";

    /// <summary>1350544046 Unix seconds, a timestamp in the style of the original test suite.</summary>
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1350544046);

    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    public static SignedItem Item(
        string name = "name",
        double timestamp = 1350544046,
        double expires = 0,
        string value = "v",
        IReadOnlyDictionary<string, string>? meta = null) =>
        new(
            Key.For(Pem, name),
            CanonicalMsgPack.Encode(value),
            timestamp,
            expires,
            "test",
            Pem,
            name,
            meta ?? new Dictionary<string, string>(),
            new byte[] { 1 });

    /// <summary>The id whose XOR distance to <paramref name="key"/> is <paramref name="distance"/>.</summary>
    public static Key AtDistance(Key key, long distance) => key ^ Key.FromBigInteger(new BigInteger(distance));
}
