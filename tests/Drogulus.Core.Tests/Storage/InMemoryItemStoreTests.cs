using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

public sealed class InMemoryItemStoreTests
{
    private readonly InMemoryItemStore _rows = new();

    [Fact]
    public void InMemoryItemStore_should_replace_row_when_upserting_same_key()
    {
        var first = new StoredItem(Item(value: "a"), T0, T0);
        var second = new StoredItem(Item(value: "b"), T0 + Hour, T0);

        _rows.Upsert(first);
        _rows.Upsert(second);

        Assert.Equal(1, _rows.Count());
        Assert.Same(second, _rows.Get(second.Key));
    }

    [Fact]
    public void InMemoryItemStore_should_report_removal_when_row_was_held()
    {
        var row = new StoredItem(Item(), T0, T0);
        _rows.Upsert(row);

        Assert.True(_rows.Remove(row.Key));
        Assert.False(_rows.Remove(row.Key));
        Assert.Null(_rows.Get(row.Key));
        Assert.Equal(0, _rows.Count());
    }

    [Fact]
    public void InMemoryItemStore_should_set_accessed_at_only_when_touching_held_row()
    {
        var row = new StoredItem(Item(), T0, T0);
        Assert.False(_rows.Touch(row.Key, T0));
        _rows.Upsert(row);

        Assert.True(_rows.Touch(row.Key, T0 + Hour));

        Assert.Equal(row with { AccessedAt = T0 + Hour }, _rows.Get(row.Key));
    }

    [Fact]
    public void InMemoryItemStore_should_enumerate_snapshot_when_written_during_enumeration()
    {
        _rows.Upsert(new StoredItem(Item(name: "a"), T0, T0));
        _rows.Upsert(new StoredItem(Item(name: "b"), T0, T0));

        var seen = 0;
        foreach (var row in _rows.All())
        {
            _rows.Remove(row.Key);
            seen++;
        }

        Assert.Equal(2, seen);
        Assert.Equal(0, _rows.Count());
    }
}
