using Akka.Actor;
using Akka.Hosting;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Core.Storage;

namespace Drogulus.Actors.Hosting;

/// <summary>The key under which <see cref="DrogulusHostingExtensions.WithDrogulusNode"/> registers the node in the <see cref="ActorRegistry"/>.</summary>
public sealed class DrogulusNode
{
    private DrogulusNode()
    {
    }
}

/// <summary>What <see cref="DrogulusHostingExtensions.WithDrogulusNode"/> starts.</summary>
public sealed class DrogulusNodeOptions
{
    /// <summary>HOCON for the node's <c>drogulus { }</c> block, over reference.conf; the system's own config when null.</summary>
    public string? Hocon { get; set; }

    /// <summary>The node's identity; a new one is generated when null.</summary>
    public NodeIdentity? Identity { get; set; }

    /// <summary>How the node reaches peers; when null, TLS or a new <see cref="MemoryNetwork"/> as <c>drogulus.transport</c> says.</summary>
    public ITransportFactory? Transport { get; set; }

    /// <summary>Where items are kept; memory when null.</summary>
    public IItemStore? Store { get; set; }

    /// <summary>Name of the node actor.</summary>
    public string ActorName { get; set; } = "drogulus-node";
}

/// <summary>Akka.Hosting registration of a Drogulus node.</summary>
public static class DrogulusHostingExtensions
{
    /// <summary>
    /// Adds reference.conf as fallback, starts a <see cref="NodeActor"/> and registers it in the
    /// <see cref="ActorRegistry"/> under <see cref="DrogulusNode"/> (inject <c>IRequiredActor&lt;DrogulusNode&gt;</c>).
    /// </summary>
    public static AkkaConfigurationBuilder WithDrogulusNode(this AkkaConfigurationBuilder builder, Action<DrogulusNodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DrogulusNodeOptions();
        configure?.Invoke(options);
        builder.AddHocon(DrogulusConfig.Reference, HoconAddMode.Append);
        return builder.WithActors((system, registry) =>
        {
            var settings = options.Hocon is { } hocon
                ? DrogulusConfig.SettingsFrom(hocon)
                : DrogulusSettings.Create(system.Settings.Config.GetConfig("drogulus"));
            var identity = options.Identity ?? NodeIdentity.Generate(system.Scheduler.Now);
            var transport = options.Transport ?? (settings.Transport == "tls" ? new TlsTransport() : new MemoryNetwork());
            var node = system.ActorOf(NodeActor.Props(settings, identity, transport, options.Store), options.ActorName);
            registry.Register<DrogulusNode>(node);
        });
    }
}
