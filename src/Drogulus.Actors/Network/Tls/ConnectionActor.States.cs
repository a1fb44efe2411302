using System.Net.Security;
using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The data of a <see cref="ConnectionActor"/>'s states (the diagram is in ConnectionActor.cs): each type holds only
/// what exists in its states, and is made when they are entered.
/// </summary>
internal sealed partial class ConnectionActor
{
    /// <summary>
    /// What the current states hold, as far as the actor's life needs it: whether requests are in flight on the
    /// connection besides <see cref="_pending"/> (for <see cref="Activity"/>).
    /// </summary>
    private abstract class Phase
    {
        public abstract bool Busy { get; }
    }

    /// <summary>
    /// The socket, from the moment TCP connected (at once for an accepted connection) until the actor stops: the
    /// Akka.IO connection, the stream over it, the peer's address and, once the handshake starts, the TLS stream.
    /// </summary>
    private sealed class Link(IActorRef tcp, TcpDuplexStream stream, string address, int port)
    {
        public IActorRef Tcp { get; } = tcp;

        public TcpDuplexStream Stream { get; } = stream;

        public string Address { get; } = address;

        public int Port { get; } = port;

        /// <summary>Made when the handshake takes its turn; disposed when the actor stops.</summary>
        public SslStream? Ssl { get; set; }

        /// <summary>The id the handshake proved (default until then).</summary>
        public Key PeerId { get; set; }

        /// <summary>Whether the socket is closed (the peer's close arrived, or it was reset): nothing more to close.</summary>
        public bool Closed { get; set; }
    }

    /// <summary>Connecting, AwaitingHello, AwaitingTurn, Handshaking: our requests wait for the connection to open.</summary>
    private sealed class Opening : Phase
    {
        /// <summary>Requests tracked in <see cref="_pending"/>, sent once the connection is open (at most <c>max-requests-in-flight</c>).</summary>
        public List<(string Uuid, SendRequest Request)> Unsent { get; } = [];

        public override bool Busy => Unsent.Count > 0;
    }

    /// <summary>Open and Draining: the proven peer and what its traffic holds, reads, answers and writes.</summary>
    private sealed class Session(Link link, SslStream ssl, DrogulusSettings settings, DateTimeOffset now, FrameSegmentPool? segments) : Phase
    {
        public Link Link { get; } = link;

        public SslStream Ssl { get; } = ssl;

        public Key PeerId => Link.PeerId;

        /// <summary>The peer as its last message described it (reply port, version).</summary>
        public PeerInfo? Peer { get; set; }

        /// <summary>The last read or write: <c>idle-timeout</c> counts from it.</summary>
        public DateTimeOffset LastActivity { get; set; } = now;

        public Reads Reads { get; } = new(settings.MaxFrameSize, segments);

        public PeerRequestsInFlight Answers { get; } = new(settings.MaxRequestsInFlight);

        public Writes Writes { get; } = new(settings.MaxFrameSize);

        /// <summary>Draining: an error reply is on its way and the connection closes once it is written.</summary>
        public bool Draining { get; set; }

        /// <summary>
        /// Draining: the error that closes the connection, while it waits for the replies to the requests read
        /// before it (PROTOCOL §4).
        /// </summary>
        public Message? ErrorAfterReplies { get; set; }

        public override bool Busy => Answers.Busy;
    }

    /// <summary>Open: the read in progress and the frame being read.</summary>
    private sealed class Reads(int maxFrameSize, FrameSegmentPool? segments)
    {
        public InboundFrames Frames { get; } = new(maxFrameSize, ReadBufferSize, segments);

        public ReadState State { get; set; }

        /// <summary>The pending SslStream read (<see cref="State"/> says which).</summary>
        public ValueTask<int> Pending { get; set; }

        /// <summary>A <see cref="ReadMore"/> is on its way.</summary>
        public bool MoreQueued { get; set; }

        /// <summary>The last read filled the buffer: more is likely there, so the next read needs no zero-byte probe.</summary>
        public bool LastFilled { get; set; }

        /// <summary>The frame whose <c>frame-timeout</c> runs (<see cref="InboundFrames.PartialFrame"/>).</summary>
        public long? FrameWithDeadline { get; set; }

        /// <summary>The last <see cref="FrameBytes"/> told to the transport.</summary>
        public long ReportedFrameBytes { get; set; }
    }

    /// <summary>Open: the writes to the peer.</summary>
    private sealed class Writes(int maxFrameSize)
    {
        public OutgoingFrames Frames { get; } = new(maxFrameSize, keepCapacity: 4 * ReadBufferSize);

        /// <summary>A <see cref="FlushNow"/> is on its way.</summary>
        public bool FlushQueued { get; set; }

        /// <summary>A TLS write went asynchronous (rare: the stream completes writes at once).</summary>
        public bool TlsWriting { get; set; }

        /// <summary>Reading is paused: more than <c>outgoing-high-water</c> bytes were queued.</summary>
        public bool Paused { get; set; }

        /// <summary>The last time a write in flight made progress: <c>write-timeout</c> counts from it.</summary>
        public DateTimeOffset LastProgress { get; set; }
    }

    /// <summary>Closing: the transport is told and the socket closes; the actor stops once both are done.</summary>
    private sealed class Ending(bool stillAnswering) : Phase
    {
        /// <summary>The transport routes nothing more here (<see cref="Release"/>).</summary>
        public bool Released { get; set; }

        /// <summary>The node still answers requests read before the close (their replies are dropped).</summary>
        public override bool Busy => stillAnswering;
    }
}
