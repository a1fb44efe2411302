using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Actors.Tests.Network;
using Drogulus.Core.Items;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Storage;

/// <summary>
/// Issue 10: the data store runs on <c>drogulus.store-dispatcher</c>, threads of its own, so that SQLite never
/// blocks a thread of the default dispatcher; a spec may put it on the calling thread instead.
/// </summary>
public sealed class StoreDispatcherTests
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    [Fact]
    public void Data_store_should_run_on_a_pool_of_its_own_when_the_actor_system_does_not_define_the_dispatcher()
    {
        using var kit = new Kit(VirtualTime.Config);
        Assert.False(kit.Sys.Settings.Config.HasPath(StoreDispatcher.Id));

        var node = TestNode.Start(kit, new MemoryNetwork(), DrogulusConfig.SettingsFrom((Akka.Configuration.Config?)null));

        var dispatcher = DispatcherOf(kit, node);
        Assert.Equal(StoreDispatcher.Id, dispatcher.Id);
        Assert.NotSame(kit.Sys.Dispatchers.DefaultGlobalDispatcher, dispatcher);
        PutAndGet(kit, node);
    }

    [Fact]
    public void Data_store_should_run_on_the_calling_thread_when_a_spec_configures_the_store_dispatcher_so()
    {
        using var kit = new Kit(VirtualTime.Config + """

            drogulus.store-dispatcher.type = "Akka.TestKit.CallingThreadDispatcherConfigurator, Akka.TestKit"
            """);

        var node = TestNode.Start(kit, new MemoryNetwork(), DrogulusConfig.SettingsFrom((Akka.Configuration.Config?)null));

        Assert.IsType<CallingThreadDispatcher>(DispatcherOf(kit, node));
        PutAndGet(kit, node);
    }

    private static Akka.Dispatch.MessageDispatcher DispatcherOf(TestKitBase kit, TestNode node)
    {
        var dataStore = kit.Sys.ActorSelection(node.Node.Path / "data-store").ResolveOne(TimeSpan.FromSeconds(10)).Result;
        return ((Akka.Actor.ActorCell)((ActorRefWithCell)dataStore).Underlying).Dispatcher;
    }

    private static void PutAndGet(TestKitBase kit, TestNode node)
    {
        var item = SignedItem.Create(Publisher, "on the store dispatcher", "v", kit.Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);
        node.Node.Tell(new Put(item), kit.TestActor);
        kit.ExpectMsg<PutCompleted>();
        node.Node.Tell(new Get(item.Key), kit.TestActor);
        Assert.Equal(item, kit.ExpectMsg<ValueFound>().Item);
    }

    // One actor system per spec, each with its own configuration.
    private sealed class Kit(string config) : TestKit(config);
}
