using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Node;

/// <summary>The client requests a node handles itself: join, put, bucket refresh targets and status.</summary>
public sealed partial class NodeActor
{
    private void OnJoin(Join join)
    {
        if (join.Seeds is null || join.Seeds.Count == 0)
        {
            Sender.Tell(new JoinFailed("at least one seed is required"));
            return;
        }

        var seeds = new List<PeerAddress>();
        foreach (var seed in join.Seeds)
        {
            if (!JoinActor.TryParseSeed(seed, out var address, out var error))
            {
                Sender.Tell(new JoinFailed(error));
                return;
            }

            seeds.Add(address!);
        }

        _state.JoinRequested = true;
        Context.ActorOf(JoinActor.Props(seeds, Sender, _identity.Id, _settings, _routing, _transport));
    }

    private void OnPut(Put put, IActorRef replyTo)
    {
        if (put.Item is not { } item)
        {
            replyTo.Tell(new PutFailed(default, "the put has no item"));
            return;
        }

        var duplicate = put.Duplicate ?? _settings.K;
        if (duplicate < 1)
        {
            replyTo.Tell(new PutFailed(item.Key, "duplicate must be at least 1") { Kind = PutFailureKind.InvalidDuplicate });
            return;
        }

        var refusal = PutCheck.Check(item, _settings.MaxItemSize, _settings.MaxFrameSize);
        if (refusal != PutRefusal.None)
        {
            replyTo.Tell(PutFailed.Refused(item.Key, refusal));
            return;
        }

        var validation = item.Validate(SignedItem.UnixSeconds(Context.System.Scheduler.Now), _settings.ItemLifetime, _settings.MinRsaKeyBits, _settings.MaxRsaKeyBits);
        if (!validation.IsValid)
        {
            replyTo.Tell(new PutFailed(item.Key, "the item is not valid: " + validation) { Kind = PutFailureKind.InvalidItem, ErrorCode = (int?)validation.Error });
            return;
        }

        StartPut(item, duplicate, storeLocally: true, replyTo);
    }

    // A republished item was verified when it was stored and the pass has just dropped the expired ones,
    // so it goes straight to the put without a second signature check.
    private void StartPut(SignedItem item, int duplicate, bool storeLocally, IActorRef replyTo) =>
        Context.ActorOf(PutActor.Props(item, duplicate, storeLocally, replyTo, _identity.Id, _settings, _routing, _dataStore, _transport));

    private void OnRefreshTargets(RoutingTableActor.RefreshTargets refresh)
    {
        if (refresh.Targets.Count > 0)
        {
            _log.Debug("Refreshing {Count} stale buckets", refresh.Targets.Count);
        }

        refresh.ReplyTo?.Tell(new RefreshStarted(refresh.Targets));
        foreach (var target in refresh.Targets)
        {
            // A refresh is wanted for its side effect on the routing table; its answer goes nowhere (or to a TriggerRefresh's sender).
            Context.ActorOf(FindNodesActor.Props(target, refresh.ReplyTo ?? ActorRefs.Nobody, _identity.Id, _settings, _routing, _transport));
        }
    }

    private void OnGetNodeStatus()
    {
        var timeout = _settings.RequestTimeout;
        var routing = _routing.Ask<RoutingTableActor.RoutingStatus>(RoutingTableActor.GetRoutingStatus.Instance, timeout);
        var items = _dataStore.Ask<int>(DataStoreActor.GetItemCount.Instance, timeout);
        var connections = _transport.Ask<int>(GetConnectionCount.Instance, timeout);
        var id = _identity.Id;
        var endpoint = _state.Endpoint ?? "";
        var reachability = _state.Reachability;
        var setting = _settings.Reachability.ToString().ToLowerInvariant();
        Task.WhenAll(routing, items, connections)
            .ContinueWith(
                _ => (object)new NodeStatus(id, endpoint, routing.Result.Contacts, routing.Result.Buckets, items.Result, connections.Result)
                {
                    Reachability = setting,
                    IsServer = reachability?.IsServer ?? _settings.Reachability == ReachabilityMode.Server,
                    ExternalAddress = reachability?.ExternalAddress,
                    LastReachabilityTest = reachability?.LastTest,
                },
                TaskContinuationOptions.OnlyOnRanToCompletion)
            .PipeTo(Sender);
    }
}
