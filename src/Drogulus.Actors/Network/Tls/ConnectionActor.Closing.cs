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

    private void FailAll(string reason)
    {
        if (_blameless)
        {
            _pending.AbandonAll(reason);
        }
        else
        {
            _pending.FailAll(reason);
        }

        _unsent.Clear();
    }

    /// <summary>The peer as a log names it: id when known, address and port (PROTOCOL §5).</summary>
    private string PeerLabel
    {
        get
        {
            var address = _remotePort != 0 ? $"{_remoteAddress}:{_remotePort}" : _dialled is { } d ? $"{d.Host}:{d.Port}" : _remoteAddress;
            return _peerId != default ? $"{_peerId.ToShortString()} at {address}"
                : _dialled?.ExpectedId is { } expected ? $"{expected.ToShortString()} (expected) at {address}"
                : address;
        }
    }

    /// <summary>A warning about this peer, written by the transport at most once per interval and kind.</summary>
    private void Warn(string kind, string text) => Context.Parent.Tell(new PeerWarning(kind, $"{PeerLabel}: {text}"));

    /// <param name="reason">Why; may quote the peer, so it is escaped before it is logged.</param>
    /// <param name="warning">The kind of warning to write (<see cref="Warnings"/>), or null for a debug line only.</param>
    private void Close(string reason, string? warning = null)
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
        EndTurn();
        FailAll(reason);
        _cts.Cancel();
        _stream?.Complete();
        Stash.ClearStash();
        if (_tcp is null)
        {
            _tcpClosed = true;
        }
        else if (!_tcpClosed)
        {
            _tcp.Tell(Tcp.Close.Instance);
            Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.HandshakeTimeout);
        }

        Context.Parent.Tell(Closed.Instance);
        Become(ClosedState);
    }

    private void StopWhenDone()
    {
        if (_released && _tcpClosed)
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
