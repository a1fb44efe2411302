using Akka.Actor;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;

namespace Drogulus.Actors.Node;

/// <summary>
/// The default node of an actor system, configured from its <c>drogulus { }</c> block with
/// <c>reference.conf</c> injected as fallback. Further nodes are started with <see cref="NodeActor.Props"/>.
/// </summary>
public sealed class DrogulusExtension : IExtension
{
    internal DrogulusExtension(ExtendedActorSystem system)
    {
        system.Settings.InjectTopLevelFallback(DrogulusConfig.Reference);
        Settings = DrogulusSettings.Create(system.Settings.Config.GetConfig("drogulus"));
        Identity = NodeIdentity.Generate(system.Scheduler.Now);
        Network = new MemoryNetwork();
        ITransportFactory transport = Settings.Transport == "tls" ? new TlsTransport() : Network;
        Node = system.SystemActorOf(NodeActor.Props(Settings, Identity, transport), "drogulus-node");
    }

    /// <summary>The validated settings of the default node.</summary>
    public DrogulusSettings Settings { get; }

    /// <summary>The default node's identity (generated at start).</summary>
    public NodeIdentity Identity { get; }

    /// <summary>
    /// The in-memory network the default node is on when <c>drogulus.transport = "memory"</c>; further memory
    /// nodes of the same system join it. Unused with <c>"tls"</c>.
    /// </summary>
    public MemoryNetwork Network { get; }

    /// <summary>The default node; send it the public requests of <c>Drogulus.Actors.Protocol</c>.</summary>
    public IActorRef Node { get; }

    /// <summary>The extension of <paramref name="system"/>, started on first use.</summary>
    public static DrogulusExtension Get(ActorSystem system) => system.WithExtension<DrogulusExtension, DrogulusExtensionProvider>();
}

/// <summary>Creates <see cref="DrogulusExtension"/>.</summary>
public sealed class DrogulusExtensionProvider : ExtensionIdProvider<DrogulusExtension>
{
    /// <inheritdoc />
    public override DrogulusExtension CreateExtension(ExtendedActorSystem system) => new(system);
}
