using Akka.Actor;
using Akka.Event;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Tells a transport at once when its Akka.IO listener runs out of file descriptors. Akka.IO 1.5.74's
/// <c>TcpListener</c> meets EMFILE/ENFILE on accept by retrying every 10 ms and writing a warning each time (it
/// ignores pull mode, and tells its bind commander nothing); the only sign is that warning. One subscriber per
/// actor system reads the warnings of Akka.IO's listeners and tells the transport that owns the listener
/// <see cref="OutOfDescriptors"/>, so it can stop accepting (unbind) after the first line of the storm. When
/// warnings are not published (log level Error), the transport's listener statistics are the slower fallback.
/// </summary>
internal sealed class ListenerAlarm : IExtension
{
    private readonly IActorRef _watcher;

    private ListenerAlarm(ExtendedActorSystem system)
    {
        _watcher = system.SystemActorOf(Props.Create(() => new Watcher()).WithDeploy(Deploy.Local), "drogulus-listener-alarm");

        // Subscribed here rather than in the watcher's PreStart, so that no warning published after Get is missed.
        system.EventStream.Subscribe(_watcher, typeof(Warning));
    }

    /// <summary>The alarm of <paramref name="system"/>.</summary>
    public static ListenerAlarm Get(ActorSystem system) => system.WithExtension<ListenerAlarm, Provider>();

    /// <summary><paramref name="transport"/> owns <paramref name="listener"/> (told on every bind).</summary>
    public void Register(IActorRef listener, IActorRef transport) => _watcher.Tell(new Registered(listener, transport));

    /// <summary>Whether a warning of Akka.IO's listener says it is out of descriptors (or socket buffers).</summary>
    internal static bool IsOutOfDescriptors(Warning warning) =>
        warning.LogClass?.FullName == "Akka.IO.TcpListener"
        && warning.Message?.ToString() is { } text
        && (text.Contains("TooManyOpenSockets", StringComparison.Ordinal) || text.Contains("NoBufferSpaceAvailable", StringComparison.Ordinal));

    /// <summary>Told to a transport whose listener could not accept for want of descriptors.</summary>
    internal sealed record OutOfDescriptors : IDeadLetterSuppression
    {
        public static OutOfDescriptors Instance { get; } = new();
    }

    private sealed record Registered(IActorRef Listener, IActorRef Transport);

    private sealed class Watcher : ReceiveActor
    {
        private readonly Dictionary<string, (IActorRef Listener, IActorRef Transport)> _byPath = new(StringComparer.Ordinal);

        public Watcher()
        {
            Receive<Registered>(registered =>
            {
                _byPath[registered.Listener.Path.ToStringWithoutAddress()] = (registered.Listener, registered.Transport);
                Context.WatchWith(registered.Listener, new Gone(registered.Listener));
            });
            Receive<Gone>(gone => _byPath.Remove(gone.Listener.Path.ToStringWithoutAddress()));
            Receive<Warning>(warning =>
            {
                if (IsOutOfDescriptors(warning)
                    && ActorPath.TryParse(warning.LogSource, out var path)
                    && _byPath.TryGetValue(path.ToStringWithoutAddress(), out var owner))
                {
                    owner.Transport.Tell(OutOfDescriptors.Instance);
                }
            });
        }

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

        private sealed record Gone(IActorRef Listener);
    }

    private sealed class Provider : ExtensionIdProvider<ListenerAlarm>
    {
        public override ListenerAlarm CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
