using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Storage.Sqlite;

/// <summary>Rows for the item-store specs; signatures are dummies because a store checks nothing.</summary>
internal static class StoreRows
{
    public const string Pem = "-----BEGIN PUBLIC KEY-----\nitem-store-specs\n-----END PUBLIC KEY-----";

    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1350544046);

    public static SignedItem Item(
        string name = "name",
        double timestamp = 1350544046.37,
        double expires = 0,
        byte[]? value = null,
        IReadOnlyDictionary<string, string>? meta = null,
        byte[]? signature = null,
        string createdWith = "specs 1.0") =>
        new(
            Key.For(Pem, name),
            value ?? CanonicalMsgPack.Encode("v:" + name),
            timestamp,
            expires,
            createdWith,
            Pem,
            name,
            meta ?? new Dictionary<string, string>(),
            signature ?? [1, 2, 3]);

    public static StoredItem Row(string name = "name", DateTimeOffset? updatedAt = null, DateTimeOffset? accessedAt = null) =>
        new(Item(name), updatedAt ?? T0, accessedAt ?? updatedAt ?? T0);
}

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        FullPath = Path.Combine(Path.GetTempPath(), "drogulus-specs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    public string File(string name) => Path.Combine(FullPath, name);

    public void Dispose()
    {
        if (Directory.Exists(FullPath))
        {
            Directory.Delete(FullPath, recursive: true);
        }
    }
}
