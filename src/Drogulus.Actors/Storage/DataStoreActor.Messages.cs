using Akka.Actor;
using System.Diagnostics;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Storage;

/// <summary>The messages <see cref="DataStoreActor"/> answers, from its siblings, per-request actors and specs.</summary>
internal sealed partial class DataStoreActor
{
    /// <summary>
    /// An inbound <c>store</c> (already past the blacklist check); a sender to blacklist is told back to the sender
    /// of this message. <paramref name="AmongClosest"/>: whether the node is among the k closest it knows to the
    /// key, from the routing table as the store arrives (PROTOCOL §6: close or cached is decided when stored).
    /// </summary>
    internal sealed record StoreRequest(InboundRequest Inbound, bool AmongClosest, ActivityContext Trace = default);

    /// <summary>An inbound <c>findvalue</c>, with the <c>nodes</c> answer to give when the item is not held.</summary>
    internal sealed record FindValueRequest(InboundRequest Inbound, NodesMessage NodesIfAbsent, ActivityContext Trace = default);

    /// <summary>Reads a live local item (counts as an access).</summary>
    internal sealed record GetLocal(Key Key);

    /// <summary>Answer to <see cref="GetLocal"/>.</summary>
    internal sealed record LocalItem(Key Key, SignedItem? Item);

    /// <summary>Stores an already validated item locally (the node's own Put).</summary>
    internal sealed record StoreLocal(SignedItem Item);

    /// <summary>Answer to <see cref="StoreLocal"/>.</summary>
    internal sealed record LocalStored(Key Key, StoreDecision Decision);

    /// <summary>
    /// A put of the version of <paramref name="Timestamp"/> ended: <paramref name="ReachedPeer"/> false when it was the
    /// node's own put and no peer stored it (the local row is marked unpublished), true when a peer stored it (the
    /// mark is cleared). See <see cref="Core.Storage.LocalStore.MarkUnpublished"/>. No answer.
    /// </summary>
    internal sealed record PutReached(Key Key, double Timestamp, bool ReachedPeer);

    /// <summary>
    /// A contact entered the routing table for the first time; <paramref name="Neighbourhood"/> is the part of
    /// the table that decides the hand-over (see <see cref="HandOverNeighbourhood"/>), the newcomer included.
    /// </summary>
    internal sealed record Newcomer(Contact Contact, IReadOnlyList<Contact> Neighbourhood);

    /// <summary>Reads a live item for an upkeep pass without counting a read; answered with <see cref="PeekedItem"/>.</summary>
    internal sealed record PeekItem(Key Key);

    /// <summary>Answer to <see cref="PeekItem"/>: the item, or null when it is no longer held or has expired.</summary>
    internal sealed record PeekedItem(Key Key, SignedItem? Item);

    /// <summary>Asks for the hand-over counters; answered with <see cref="HandOverStats"/>.</summary>
    internal sealed record GetHandOverStats
    {
        public static GetHandOverStats Instance { get; } = new();
    }

    /// <summary>The hand-over counters since the data store started (see <see cref="HandOverQueue{T}"/>).</summary>
    internal sealed record HandOverStats(int Waiting, int InFlight, long KeysChosen, long StoresSent, long NewcomersDropped);

    /// <summary>Runs the republish pass with the routing table's closeness profile; <paramref name="ReplyTo"/> (a <see cref="TriggerRepublish"/>) gets <see cref="RepublishCompleted"/>.</summary>
    internal sealed record RunRepublish(ClosenessProfile Closeness, IActorRef? ReplyTo = null);

    /// <summary>Lists the live items (<see cref="GetLocalItems"/>) with the routing table's closeness profile; answered with <see cref="LocalItems"/>.</summary>
    internal sealed record ListLocalItems(ClosenessProfile Closeness);

    /// <summary>Asks whether the store can be written and has room; answered with a <see cref="StoreHealth"/>.</summary>
    internal sealed record GetStoreHealth
    {
        public static GetStoreHealth Instance { get; } = new();
    }

    /// <summary>Answer to <see cref="GetStoreHealth"/>: <paramref name="WriteError"/> is null when the probe write succeeded.</summary>
    internal sealed record StoreHealth(string? WriteError, bool HasRoom, long Bytes, long MaxBytes);

    /// <summary>Asks for the number of items held; answered with an <see cref="int"/>.</summary>
    internal sealed record GetItemCount
    {
        public static GetItemCount Instance { get; } = new();
    }
}
