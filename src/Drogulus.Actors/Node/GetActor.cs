using Akka.Actor;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage;
using Drogulus.Core.Identity;
using Drogulus.Core.Lookup;

namespace Drogulus.Actors.Node;

/// <summary>
/// The local half of a get (PROTOCOL §10): answers from the local store when it holds a live item,
/// otherwise asks the node for a FindValue lookup that answers the requester directly.
/// </summary>
internal sealed class GetActor : ReceiveActor
{
    private static readonly LookupStats Local = new(0, 0, 0, TimeSpan.Zero);

    public GetActor(Key key, IActorRef replyTo, IActorRef node)
    {
        Receive<DataStoreActor.LocalItem>(local =>
        {
            if (local.Item is { } item)
            {
                replyTo.Tell(new ValueFound(item, Local));
            }
            else
            {
                node.Tell(new LookUp(key, replyTo));
            }

            Context.Stop(Self);
        });
    }

    public static Props Props(Key key, IActorRef replyTo, IActorRef node) =>
        Akka.Actor.Props.Create(() => new GetActor(key, replyTo, node));

    /// <summary>The item is not held locally: look it up for <paramref name="ReplyTo"/>.</summary>
    internal sealed record LookUp(Key Key, IActorRef ReplyTo);
}
