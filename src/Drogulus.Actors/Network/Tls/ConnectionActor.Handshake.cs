using System.Net.Security;
using Akka.Actor;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The way to Open of a <see cref="ConnectionActor"/>: the peer's hello, the turn to handshake, the TLS handshake that
/// proves the peer's id (PROTOCOL §5, §12), and our requests held meanwhile.
/// </summary>
internal sealed partial class ConnectionActor
{
    private readonly IActorRef _admission = AdmissionExtension.Get(Context.System); // the process's turns to handshake
    private bool _turnAsked; // told to admission once, until given back: its answer may come in any later state

    /// <summary>
    /// The socket is open: bytes are taken in and the handshake-timeout runs. A dial asks for its turn now
    /// (<see cref="AskTurn"/>); an accepted connection only once the peer's first TLS record arrived whole, within
    /// <c>hello-timeout</c> (<see cref="AwaitingHello"/>), so that an accept never holds a turn while its dialler still
    /// waits for one.
    /// </summary>
    private void BeginHandshake()
    {
        Timers.StartSingleTimer("handshake", HandshakeTimedOut.Instance, _settings.HandshakeTimeout);
        if (_dialled is null)
        {
            Timers.StartSingleTimer("hello", HelloTimedOut.Instance, _settings.HelloTimeout);
        }
    }

    /// <summary>Bytes of an accepted connection before its peer's first TLS record was whole.</summary>
    private void OnHelloBytes(Opening opening, FirstTlsRecord hello, Akka.IO.ByteString data)
    {
        _link!.Stream.Deliver(data);
        switch (hello.Feed(data.ToReadOnlySpan()))
        {
            case FirstTlsRecord.Status.Whole:
                Timers.Cancel("hello");
                AskTurn(opening);
                break;
            case FirstTlsRecord.Status.NotTls:
                Close("the peer's first bytes are not a TLS handshake record", Warnings.Handshake);
                break;
        }
    }

    /// <summary>
    /// Asks the process's <see cref="AdmissionActor"/> for a turn to handshake and waits for
    /// <see cref="AdmissionActor.Granted"/> (<see cref="AwaitingTurn"/>): at once unless many are handshaking, else
    /// when this connection's turn comes.
    /// </summary>
    private void AskTurn(Opening opening)
    {
        // PROTOCOL §5, admission: dials take turns node by node, accepts address group by address group.
        object owner = _dialled is not null ? Context.Parent : Core.Limits.AddressGroup.Of(_link!.Address, _settings.DiversityExemptPrivate);
        _turnAsked = true;

        // An accept from an address the rate limits count also waits for the process's accepted-handshake rate.
        var rated = _dialled is null
            && !(System.Net.IPAddress.TryParse(_link!.Address.Trim('[', ']'), out var ip) && _settings.RateLimitExempt.Contains(ip));
        _admission.Tell(new AdmissionActor.AskTurn(_dialled is not null, owner, rated));
        Become(() => AwaitingTurn(opening));
    }

    /// <summary>Gives back the turn, or the place in line, if this connection asked for one (one message, however often called).</summary>
    private void ReleaseTurn()
    {
        if (_turnAsked)
        {
            _turnAsked = false;
            _admission.Tell(AdmissionActor.HandshakeEnded.Instance);
        }
    }

    private void StartHandshake(Opening opening)
    {
        var ssl = new SslStream(_link!.Stream, leaveInnerStreamOpen: false);
        _link.Ssl = ssl;
        var handshake = _dialled is { } to
            ? ssl.AuthenticateAsClientAsync(_credentials.Client(to.ExpectedId), _cts.Token)
            : ssl.AuthenticateAsServerAsync(_credentials.Server(), _cts.Token);
        handshake.PipeTo(Self, success: () => HandshakeSucceeded.Instance, failure: e => new HandshakeFailed(e));
        Become(() => Handshaking(opening));
    }

    /// <summary>
    /// A request timed out while the connection waited for the peer's hello or its turn: nobody's fault (the process
    /// was busy handshaking), so it fails without blaming the peer; once none is left, the turn would be wasted.
    /// </summary>
    private void OnTimedOutBeforeTurn(PendingRequests.TimedOut timeout)
    {
        _pending.OnTimedOutBlameless(timeout, "no reply within request-timeout: the connection still waited for a turn to handshake (max-concurrent-handshakes)");
        if (_pending.Count == 0)
        {
            Close("every request waiting for this connection timed out before its turn to handshake", blameless: true);
        }
    }

    private void OnHandshakeSucceeded(Opening opening)
    {
        Timers.Cancel("handshake");
        ReleaseTurn();
        var link = _link!;
        if (link.Ssl!.RemoteCertificate is not { } certificate)
        {
            Close("the peer presented no certificate", Warnings.Handshake);
            return;
        }

        link.PeerId = _credentials.IdOf(certificate);
        if (_dialled?.ExpectedId is { } expected && expected != link.PeerId)
        {
            Close("the peer proved another identity", Warnings.Handshake);
            return;
        }

        if (_dialled is not null)
        {
            // Read before this connection reads anything more: the bytes so far are the server's handshake flight.
            var resumed = TlsResumption.IsResumed(link.Stream.BytesRead, TlsResumption.LengthOf(certificate));
            Diagnostics.NodeMetrics.For(_self).DialCompleted(redial: _credentials.Dialled(link.PeerId), resumed);
        }

        // From here on the SslStream runs on this actor's thread: reads and writes complete inline, without pool hops.
        link.Stream.RunContinuationsInline();
        Context.Parent.Tell(new Established(link.PeerId));
        var session = new Session(link, link.Ssl, _settings, Context.System.Scheduler.Now, _listening.FrameSegments);
        _phase = session;
        Timers.StartSingleTimer("idle", IdleCheck.Instance, _settings.IdleTimeout);
        Become(() => Open(session));
        Stash.UnstashAll();
        foreach (var (uuid, request) in opening.Unsent)
        {
            if (_pending.Contains(uuid))
            {
                Send(session, uuid, request);
            }
        }

        opening.Unsent.Clear();
        ResumeReading(session);
    }

    /// <summary>
    /// Holds one of our own requests until the connection is open; at most <c>max-requests-in-flight</c> wait, the
    /// excess fails at once as a connection failure that blames nobody (it is our backlog, not the peer's doing).
    /// </summary>
    private void Hold(Opening opening, SendRequest request)
    {
        if (opening.Unsent.Count >= _settings.MaxRequestsInFlight)
        {
            request.ReplyTo.Tell(new RpcFailed(request.To, RpcFailure.ConnectionFailed, "max-requests-in-flight requests already wait for this connection to open"));
            return;
        }

        opening.Unsent.Add((Track(request), request));
    }
}
