using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>Contacts whose XOR distance to <see cref="Target"/> is just their number, for readable tests.</summary>
internal static class LookupTestData
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Key Target => Key.Zero;

    public static Key OwnId => Id(1);

    public static Key Id(int distance) => Key.FromBigInteger(new BigInteger(distance));

    public static Contact Peer(int distance) => new(Id(distance), "10.0.0.1", 9000 + distance, "1.0", Start);

    public static Contact[] Peers(params int[] distances) => distances.Select(Peer).ToArray();

    public static int Distance(Contact contact) => (int)contact.Id.ToBigInteger();

    public static int[] Distances(IEnumerable<Contact> contacts) => contacts.Select(Distance).ToArray();

    public static DateTimeOffset At(int milliseconds) => Start.AddMilliseconds(milliseconds);

    public static SignedItem Item(Key key) =>
        new(key, [0xa1, 0x76], 1.0, 0.0, "test", "pem", "name", new Dictionary<string, string>(), [1, 2, 3]);

    /// <summary>An item whose version is told by its timestamp (and its one-byte value, for telling copies apart).</summary>
    public static SignedItem Item(Key key, double timestamp) =>
        new(key, [0xa1, (byte)(0x40 + (int)timestamp)], timestamp, 0.0, "test", "pem", "name", new Dictionary<string, string>(), [1, 2, 3]);
}
