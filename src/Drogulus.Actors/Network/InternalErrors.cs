using Akka.Actor;
using Akka.Event;
using Drogulus.Actors.Diagnostics;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network;

/// <summary>
/// PROTOCOL §12, error 3: an unexpected failure while a request is handled is answered with Internal error
/// and logged; the actor goes on (its state lives outside it, so nothing is lost).
/// </summary>
internal static class InternalErrors
{
    /// <summary>
    /// Runs <paramref name="handle"/>; on an exception answers <paramref name="inbound"/> with error 3. A request whose
    /// connection has closed meanwhile is dropped unprocessed: nobody would read its answer.
    /// </summary>
    public static void Guard(InboundRequest inbound, ILoggingAdapter log, Action<InboundRequest> handle, NodeMetrics? metrics = null)
    {
        if (inbound.Abandoned.IsCancellationRequested)
        {
            return;
        }

        try
        {
            handle(inbound);
        }
        catch (Exception e)
        {
            log.Error(e, "Internal error while answering {MessageType} {RpcId} from {PeerId}", inbound.Request.WireName, WireText.ForLog(inbound.Request.Uuid), inbound.From.Id.ToShortString());
            var details = ErrorReply.Details("context", "the node failed to handle the request");
            var error = ErrorReply.For(inbound.Request, ErrorCode.InternalError, details, default, 0);
            metrics?.Answered(inbound.Request, error);
            inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, error));
        }
    }
}
