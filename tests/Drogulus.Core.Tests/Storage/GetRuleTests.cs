using Drogulus.Core.Identity;
using Drogulus.Core.Limits;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

public sealed class GetRuleTests
{
    private readonly InMemoryItemStore _rows = new();
    private readonly LocalStore _store;

    public GetRuleTests() => _store = new LocalStore(_rows);

    [Fact]
    public void Get_should_return_live_item_and_count_as_access_when_item_is_held()
    {
        var item = Item();
        _store.Store(item, T0);

        var found = _store.Get(item.Key, T0 + Hour);

        Assert.Same(item, found);
        Assert.Equal(new StoredItem(item, T0, T0 + Hour) { Group = AddressGroup.Local }, _rows.Get(item.Key));
    }

    [Fact]
    public void Get_should_return_null_when_nothing_is_held_under_key()
    {
        Assert.Null(_store.Get(Key.For(Pem, "absent"), T0));
    }

    [Fact]
    public void Get_should_return_null_and_delete_item_when_item_has_expired()
    {
        var item = Item(expires: Seconds(T0) + 0.5);
        _store.Store(item, T0);

        Assert.Same(item, _store.Get(item.Key, T0 + TimeSpan.FromMilliseconds(499)));
        Assert.Null(_store.Get(item.Key, T0 + TimeSpan.FromMilliseconds(500)));
        Assert.Equal(0, _store.Count);
    }
}
