using Drogulus.Core.Storage;

namespace Drogulus.Actors.Storage.Sqlite;

/// <summary>Access-time batching: update and access times written in one transaction without an fsync.</summary>
public sealed partial class SqliteItemStore
{
    /// <inheritdoc />
    /// <remarks>One transaction committed with <c>synchronous=NORMAL</c>: no fsync (see the class remarks).</remarks>
    public void SetTimes(IReadOnlyCollection<StoredEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ThrowIfDisposed();
        if (entries.Count == 0)
        {
            return;
        }

        Execute(_connection, "PRAGMA synchronous = NORMAL");
        try
        {
            using var transaction = _connection.BeginTransaction();
            _setTimes.Transaction = transaction;
            foreach (var entry in entries)
            {
                _setTimes.Parameters[0].Value = entry.Key.ToArray();
                _setTimes.Parameters[1].Value = entry.UpdatedAt.UtcTicks;
                _setTimes.Parameters[2].Value = entry.AccessedAt.UtcTicks;
                _setTimes.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            _setTimes.Transaction = null;
            Execute(_connection, "PRAGMA synchronous = FULL");
        }
    }
}
