using Drogulus.Core.Identity;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Storage.Sqlite;

/// <summary>Writes of whole rows, each its own transaction synced to disk (synchronous=FULL).</summary>
public sealed partial class SqliteItemStore
{
    /// <inheritdoc />
    public void Upsert(StoredItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfDisposed();
        var signed = item.Item;
        var p = _upsert.Parameters;
        p[0].Value = signed.Key.ToArray();
        p[1].Value = signed.Value.ToArray();
        p[2].Value = BitConverter.DoubleToInt64Bits(signed.Timestamp);
        p[3].Value = BitConverter.DoubleToInt64Bits(signed.Expires);
        p[4].Value = signed.CreatedWith;
        p[5].Value = signed.PublicKey;
        p[6].Value = signed.Name;
        p[7].Value = CanonicalMsgPack.Encode(signed.Meta);
        p[8].Value = signed.Signature.ToArray();
        p[9].Value = item.UpdatedAt.UtcTicks;
        p[10].Value = item.AccessedAt.UtcTicks;
        p[11].Value = item.Group.Value;
        p[12].Value = item.Group.IsExempt ? 1 : 0;
        p[13].Value = item.Cached ? 1 : 0;
        p[14].Value = item.Unpublished ? 1 : 0;
        _upsert.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public bool Remove(Key key)
    {
        ThrowIfDisposed();
        _remove.Parameters[0].Value = key.ToArray();
        return _remove.ExecuteNonQuery() > 0;
    }

    /// <inheritdoc />
    public bool Touch(Key key, DateTimeOffset accessedAt)
    {
        ThrowIfDisposed();
        _touch.Parameters[0].Value = key.ToArray();
        _touch.Parameters[1].Value = accessedAt.UtcTicks;
        return _touch.ExecuteNonQuery() > 0;
    }
}
