using System.Security.Cryptography;
using System.Text;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;

namespace Drogulus.StoreWriter;

/// <summary>
/// The rows the store writer writes, one per index, rebuilt from the index alone so that a test can check
/// what a killed writer left behind. Compiled into the writer and into the test project.
/// </summary>
internal static class WriterItems
{
    private const string Pem = "-----BEGIN PUBLIC KEY-----\nstore-writer\n-----END PUBLIC KEY-----";

    /// <summary>The row written at <paramref name="index"/>; the signature is a dummy (the store checks nothing).</summary>
    public static StoredItem Row(int index)
    {
        var name = $"élément-{index}-名前";
        var item = new SignedItem(
            Key.For(Pem, name),
            CanonicalMsgPack.Encode($"value {index} " + new string('x', index % 200)),
            1_700_000_000.25 + index,
            index % 3 == 0 ? 0 : 1_800_000_000.5 + index,
            "store-writer 1.0",
            Pem,
            name,
            new Dictionary<string, string> { ["index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ünï"] = "☃" },
            SHA512.HashData(Encoding.UTF8.GetBytes(name)).Concat(SHA512.HashData(BitConverter.GetBytes(index))).ToArray());
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + index).AddTicks(index % 10_000);
        return new StoredItem(item, time, time.AddSeconds(1));
    }
}
