using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;

namespace Drogulus.Actors.Storage;

/// <summary>
/// One republish pass (PROTOCOL §10) as a stream: items are stored again at their k closest nodes through
/// the node's put, throttled to <c>republish.items-per-second</c> with at most <c>republish.parallelism</c>
/// in flight, so that the pass never starves lookups. It stops with the data store (kill switch, and the
/// materializer belongs to that actor).
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

    public static RepublishPass Start(IMaterializer materializer, IReadOnlyList<SignedItem> items, IActorRef node, DrogulusSettings settings)
    {
        var interval = TimeSpan.FromSeconds(1 / settings.RepublishItemsPerSecond);
        var askTimeout = settings.LookupTimeout + settings.RequestTimeout + settings.RequestTimeout;
        var (killSwitch, completion) = Source.From(items)
            .ViaMaterialized(KillSwitches.Single<SignedItem>(), Keep.Right)
            .Throttle(1, interval, 1, ThrottleMode.Shaping)
            .SelectAsyncUnordered(settings.RepublishParallelism, item => Republish(node, item, askTimeout))
            .ToMaterialized(Sink.Aggregate<NotUsed, int>(0, (count, _) => count + 1), Keep.Both)
            .Run(materializer);
        return new RepublishPass(killSwitch, completion);
    }

    public void Stop() => _killSwitch.Shutdown();

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
