using System.Net;
using Akka.Actor;
using Drogulus.Core.Limits;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network;

/// <summary>
/// PROTOCOL §5, rate: admits an inbound request when its remote address is within <c>rate-limit</c>, and
/// otherwise answers it with error 10 (Busy) without processing it. Owned by the one actor every inbound
/// request passes through; not thread-safe.
/// </summary>
/// <remarks>
/// Peers on the in-memory transport are not limited (their addresses are simulated, and they are in this
/// process), nor are peers whose address is not an IP address.
/// </remarks>
internal sealed class InboundRateGate
{
    /// <summary>The details of a Busy answer.</summary>
    public static readonly IReadOnlyDictionary<string, string> BusyDetails =
        ErrorReply.Details("context", "Too many requests from your address; try later.");

    private readonly InboundRateLimiter _limiter;

    public InboundRateGate(InboundRateLimiter limiter) => _limiter = limiter;

    /// <summary>How many requests were answered Busy.</summary>
    public long Refused { get; private set; }

    /// <summary>True when <paramref name="inbound"/> may be processed; otherwise it has been answered Busy.</summary>
    public bool TryAdmit(InboundRequest inbound, DateTimeOffset now)
    {
        if (inbound.InProcess || !IPAddress.TryParse(inbound.From.Address, out var address) || _limiter.TryAcquire(address, now))
        {
            return true;
        }

        Refused++;
        var busy = ErrorReply.For(inbound.Request, ErrorCode.Busy, BusyDetails, default, 0);
        inbound.Connection.Tell(new SendReply(inbound.From, inbound.Request.Uuid, busy));
        return false;
    }
}
