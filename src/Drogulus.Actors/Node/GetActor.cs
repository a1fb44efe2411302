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

    private readonly Key _key;
    private readonly IActorRef _replyTo;
    private bool _handedOn;

    public GetActor(Key key, IActorRef replyTo, IActorRef node, TimeSpan localTimeout)
    {
        _key = key;
        _replyTo = replyTo;
        SetReceiveTimeout(localTimeout);
        Receive<ReceiveTimeout>(_ => Context.Stop(Self));
        Receive<DataStoreActor.LocalItem>(local =>
        {
            _handedOn = true;
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

    // Stopped before the local answer came (its node stopping): the requester still gets one answer.
    protected override void PostStop()
    {
        if (!_handedOn)
        {
            _replyTo.Tell(new GetFailed(_key, "the get was aborted"));
        }
    }

    public static Props Props(Key key, IActorRef replyTo, IActorRef node, TimeSpan localTimeout) =>
        Akka.Actor.Props.Create(() => new GetActor(key, replyTo, node, localTimeout));

    /// <summary>The item is not held locally: look it up for <paramref name="ReplyTo"/>.</summary>
    internal sealed record LookUp(Key Key, IActorRef ReplyTo);
}
