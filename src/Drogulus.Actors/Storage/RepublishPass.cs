using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Storage;

/// <summary>
/// One republish pass (PROTOCOL §10) as a stream: the keys of the items to store again flow through a throttle
/// of <c>republish.items-per-second</c>; each item is read from the data store only then, one at a time
/// (<see cref="DataStoreActor.PeekItem"/>), and stored again at its k closest nodes through the node's put, at
/// most <c>republish.parallelism</c> in flight, so that the pass never starves lookups and never holds every
/// value at once. It stops with the data store (kill switch, and the materializer belongs to that actor).
/// </summary>
internal sealed class RepublishPass
{
    private readonly UniqueKillSwitch _killSwitch;

    private RepublishPass(UniqueKillSwitch killSwitch, Task<int> completion)
    {
        _killSwitch = killSwitch;
        Completion = completion;
    }

    /// <summary>Completes with the number of items that went through when the pass ends or is stopped.</summary>
    public Task<int> Completion { get; }

    public static RepublishPass Start(IMaterializer materializer, IReadOnlyList<Key> keys, IActorRef dataStore, IActorRef node, DrogulusSettings settings)
    {
        var interval = TimeSpan.FromSeconds(1 / settings.RepublishItemsPerSecond);
        var askTimeout = settings.LookupTimeout + settings.RequestTimeout + settings.RequestTimeout;
        var (killSwitch, completion) = Source.From(keys)
            .ViaMaterialized(KillSwitches.Single<Key>(), Keep.Right)
            .Throttle(1, interval, 1, ThrottleMode.Shaping)
            .SelectAsync(1, key => Read(dataStore, key, askTimeout))
            .Where(item => item is not null)
            .SelectAsyncUnordered(settings.RepublishParallelism, item => Republish(node, item!, askTimeout))
            .ToMaterialized(Sink.Aggregate<NotUsed, int>(0, (count, _) => count + 1), Keep.Both)
            .Run(materializer);
        return new RepublishPass(killSwitch, completion);
    }

    public void Stop() => _killSwitch.Shutdown();

    private static async Task<SignedItem?> Read(IActorRef dataStore, Key key, TimeSpan timeout)
    {
        try
        {
            return (await dataStore.Ask<DataStoreActor.PeekedItem>(new DataStoreActor.PeekItem(key), timeout)).Item;
        }
        catch (AskTimeoutException)
        {
            // An item deleted since the plan was made is simply not republished; so is one not read in time.
            return null;
        }
    }

    private static async Task<NotUsed> Republish(IActorRef node, SignedItem item, TimeSpan timeout)
    {
        try
        {
            await node.Ask<IPutReply>(new NodeActor.Republish(item), timeout);
        }
        catch (AskTimeoutException)
        {
            // The put reports its own failures; a lost answer must not end the whole pass.
        }

        return NotUsed.Instance;
    }
}
