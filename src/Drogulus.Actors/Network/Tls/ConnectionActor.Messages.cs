using Akka.Actor;
using Akka.Event;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network.Tls;

/// <summary>The messages a <see cref="ConnectionActor"/> exchanges with its transport and with itself.</summary>
internal sealed partial class ConnectionActor
{
    /// <summary>Told to the transport once the handshake proved the peer's id.</summary>
    internal sealed record Established(Key PeerId);

    /// <summary>
    /// A warning about the peer, told to the transport, which writes it subject to its <see cref="WarningThrottle"/>
    /// so that a thousand connections failing alike cost one line per interval. <paramref name="Text"/> is escaped.
    /// </summary>
    internal sealed record PeerWarning(string Kind, string Text) : IDeadLetterSuppression;

    /// <summary>The kinds of <see cref="PeerWarning"/>: one throttle count each.</summary>
    internal static class Warnings
    {
        public const string Handshake = "handshake";
        public const string Rejected = "rejected-input";
        public const string SlowPeer = "slow-peer";
        public const string Oversize = "oversize-reply";
        public const string Budget = "connection-budget";
    }

    /// <summary>Told to the transport whenever requests in flight on this connection (either way) start or stop, for its budget.</summary>
    internal sealed record Activity(bool Busy) : IDeadLetterSuppression;

    /// <summary>
    /// Told to the transport whenever the bytes held for this connection's unfinished frame change (0: none), so that
    /// the node's half-sent frames stay within <c>max-partial-frame-bytes</c> (PROTOCOL §5).
    /// </summary>
    internal sealed record FrameBytes(long Held) : IDeadLetterSuppression;

    /// <summary>
    /// The transport closes this connection: its unfinished frame was the largest when the node's half-sent frames
    /// passed <c>max-partial-frame-bytes</c>.
    /// </summary>
    internal sealed record ShedFrame : IDeadLetterSuppression
    {
        public static ShedFrame Instance { get; } = new();
    }

    /// <summary>The transport closes this connection to stay within <c>max-connections</c>.</summary>
    internal sealed record Evict : IDeadLetterSuppression
    {
        public static Evict Instance { get; } = new();
    }

    /// <summary>Told to the transport when the connection closes; it forgets the route and answers <see cref="Release"/>.</summary>
    internal sealed record Closed : IDeadLetterSuppression
    {
        public static Closed Instance { get; } = new();
    }

    /// <summary>The transport routes nothing more to this connection, so it may stop.</summary>
    internal sealed record Release : IDeadLetterSuppression
    {
        public static Release Instance { get; } = new();
    }

    /// <summary>More is there to read: the next read, after the messages queued meanwhile.</summary>
    private sealed record ReadMore : IDeadLetterSuppression
    {
        public static ReadMore Instance { get; } = new();
    }

    /// <summary>Frames are queued and no write is in flight: write them, after the messages queued meanwhile.</summary>
    private sealed record FlushNow : IDeadLetterSuppression
    {
        public static FlushNow Instance { get; } = new();
    }

    private sealed record IoFailed(Exception Cause) : IDeadLetterSuppression;

    private sealed record HandshakeFailed(Exception Cause) : IDeadLetterSuppression;

    /// <summary>A TLS write that did not complete at once completed (its bytes are with Akka.IO; their acks end the write).</summary>
    private sealed record WriteCompleted : IDeadLetterSuppression
    {
        public static WriteCompleted Instance { get; } = new();
    }

    private sealed record HandshakeSucceeded : IDeadLetterSuppression
    {
        public static HandshakeSucceeded Instance { get; } = new();
    }

    private sealed record ConnectTimedOut
    {
        public static ConnectTimedOut Instance { get; } = new();
    }

    private sealed record HandshakeTimedOut
    {
        public static HandshakeTimedOut Instance { get; } = new();
    }

    private sealed record HelloTimedOut
    {
        public static HelloTimedOut Instance { get; } = new();
    }

    private sealed record IdleCheck
    {
        public static IdleCheck Instance { get; } = new();
    }

    /// <summary>The frame numbered <paramref name="Frame"/> (<see cref="InboundFrames.PartialFrame"/>) had <c>frame-timeout</c> to complete.</summary>
    private sealed record FrameDeadline(long Frame);

    private sealed record WriteCheck
    {
        public static WriteCheck Instance { get; } = new();
    }

    private sealed record CloseTimedOut
    {
        public static CloseTimedOut Instance { get; } = new();
    }
}
