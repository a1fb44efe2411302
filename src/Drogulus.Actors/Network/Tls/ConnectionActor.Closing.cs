using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// How a <see cref="ConnectionActor"/> ends: pending requests fail, the socket is closed (reset after a bound), the
/// transport is told and releases the connection; warnings name the peer (issue 9).
/// </summary>
internal sealed partial class ConnectionActor
{
    private void FailNow(SendRequest request, string reason) =>
        _pending.FailUntracked(request.To, request.ReplyTo, RpcFailure.ConnectionFailed, reason, request.Body.WireName);

    /// <summary>Every request pending on this connection fails at once (blameless: without blaming the peer).</summary>
    private void FailAll(string reason, bool blameless = false)
    {
        if (blameless)
        {
            _pending.AbandonAll(reason);
        }
        else
        {
            _pending.FailAll(reason);
        }
    }

    /// <summary>The peer as a log names it: id when known, address and port (PROTOCOL §5).</summary>
    private string PeerLabel
    {
        get
        {
            var address = _link is { Port: not 0 } link ? $"{link.Address}:{link.Port}" : _dialled is { } d ? $"{d.Host}:{d.Port}" : _link?.Address ?? "";
            return _link is { } proved && proved.PeerId != default ? $"{proved.PeerId.ToShortString()} at {address}"
                : _dialled?.ExpectedId is { } expected ? $"{expected.ToShortString()} (expected) at {address}"
                : address;
        }
    }

    /// <summary>A warning about this peer, written by the transport at most once per interval and kind.</summary>
    private void Warn(string kind, string text) => Context.Parent.Tell(new PeerWarning(kind, $"{PeerLabel}: {text}"));

    /// <summary>
    /// Ends the connection from any state: pending requests fail, the turn is given back, the socket is closed (reset
    /// after <c>handshake-timeout</c>), the transport is told, and the actor waits in Closing for its release.
    /// </summary>
    /// <param name="reason">Why; may quote the peer, so it is escaped before it is logged.</param>
    /// <param name="warning">The kind of warning to write (<see cref="Warnings"/>), or null for a debug line only.</param>
    /// <param name="blameless">Closing for a reason of our own: the requests fail without blaming the peer.</param>
    private void Close(string reason, string? warning = null, bool blameless = false)
    {
        if (warning is not null)
        {
            Warn(warning, "closing the connection: " + WireText.ForLog(reason));
        }
        else
        {
            _log.Debug("Closing the connection with {Peer}: {Reason}", PeerLabel, WireText.ForLog(reason));
        }

        Timers.CancelAll();
        ReleaseTurn();
        FailAll(reason, blameless);
        _cts.Cancel();
        _link?.Stream.Complete();
        Stash.ClearStash();
        if (_link is { Closed: false } link)
        {
            link.Tcp.Tell(Tcp.Close.Instance);
            Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.HandshakeTimeout);
        }

        Context.Parent.Tell(Closed.Instance);

        // The unfinished frame will never complete: its segments serve the next connection's (issue 21 item 4).
        (_phase as Session)?.Reads.Frames.Release();
        var ending = new Ending(stillAnswering: _phase is Session { Answers.Busy: true });
        _phase = ending;
        Become(() => Closing(ending));
    }

    /// <summary>The actor stops once the transport released it and its socket, if it had one, closed.</summary>
    private void StopWhenDone(Ending ending)
    {
        if (ending.Released && (_link is null || _link.Closed))
        {
            Context.Stop(Self);
        }
    }

    private static int PortOf(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.Port,
        DnsEndPoint dns => dns.Port,
        _ => 0,
    };

    private static string AddressText(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        DnsEndPoint dns => dns.Host,
        _ => endpoint.ToString() ?? "",
    };
}
