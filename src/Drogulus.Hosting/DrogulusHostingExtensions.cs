using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Drogulus.Hosting;

/// <summary>The key under which <c>WithDrogulusNode</c> registers the node in the <see cref="ActorRegistry"/> (inject <c>IRequiredActor&lt;DrogulusNode&gt;</c>).</summary>
public sealed class DrogulusNode
{
    private DrogulusNode()
    {
    }
}

/// <summary>Akka.Hosting registration of a Drogulus node, with its health check.</summary>
public static class DrogulusHostingExtensions
{
    /// <summary>
    /// Adds reference.conf as fallback, starts a <see cref="NodeActor"/> with the settings of
    /// <paramref name="configure"/>'s <see cref="DrogulusOptions"/>, registers it in the <see cref="ActorRegistry"/>
    /// under <see cref="DrogulusNode"/>, joins <see cref="DrogulusOptions.Seeds"/> if any, and registers a
    /// <see cref="DrogulusNodeHealthCheck"/> (reported by the host's <c>HealthCheckService</c> once
    /// <c>services.AddHealthChecks()</c> is called).
    /// </summary>
    public static AkkaConfigurationBuilder WithDrogulusNode(this AkkaConfigurationBuilder builder, Action<DrogulusOptions>? configure = null)
    {
        var options = new DrogulusOptions();
        configure?.Invoke(options);
        return builder.WithDrogulusNode(options);
    }

    /// <summary>
    /// As <see cref="WithDrogulusNode(AkkaConfigurationBuilder, Action{DrogulusOptions}?)"/>, with options bound
    /// from <paramref name="section"/> (such as <c>configuration.GetSection("Drogulus")</c>), then <paramref name="configure"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithDrogulusNode(this AkkaConfigurationBuilder builder, IConfiguration section, Action<DrogulusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new DrogulusOptions();
        section.Bind(options);
        configure?.Invoke(options);
        return builder.WithDrogulusNode(options);
    }

    /// <summary>As <see cref="WithDrogulusNode(AkkaConfigurationBuilder, Action{DrogulusOptions}?)"/>, with <paramref name="options"/> as they are.</summary>
    public static AkkaConfigurationBuilder WithDrogulusNode(this AkkaConfigurationBuilder builder, DrogulusOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddHocon(DrogulusConfig.Reference, HoconAddMode.Append);
        builder.WithHealthCheck(new AkkaHealthCheckRegistration(
            DrogulusNodeHealthCheck.Name, new DrogulusNodeHealthCheck(options.HealthCheckTimeout), HealthStatus.Unhealthy, ["drogulus", "ready"]));
        return builder.WithActors((system, registry) =>
        {
            var settings = options.ToSettings(system.Settings.Config);
            var identity = options.Identity ?? DurableNodeFiles.Identity(settings, options.IdentityPassphrase, system.Scheduler.Now);
            var transport = options.TransportFactory ?? (settings.Transport == "tls" ? new TlsTransport() : new MemoryNetwork());
            var store = options.Store ?? DurableNodeFiles.Store(settings, system);
            var table = DurableNodeFiles.RoutingTable(settings, identity, system);
            var node = system.ActorOf(NodeActor.Props(settings, identity, transport, store, routingTable: table), options.ActorName);
            registry.Register<DrogulusNode>(node);

            // Seeds named win; without them a restarted node rejoins through its saved contacts (as the CLI node does).
            var seeds = options.Seeds.Count > 0
                ? options.Seeds.ToArray()
                : table?.AllContacts().Select(c => $"{c.Id}@{c.Endpoint}").Take(settings.K).ToArray() ?? [];
            if (seeds.Length > 0)
            {
                JoinAtStart(system, node, seeds, settings.LookupTimeout + settings.RequestTimeout);
            }
            else
            {
                Logging.GetLogger(system, typeof(DrogulusHostingExtensions)).Warning(
                    "Drogulus node {NodeId} is alone: it has no saved contacts and no seeds; it waits for other nodes to join through it", identity.Id.ToShortString());
            }
        });
    }

    private static void JoinAtStart(ActorSystem system, IActorRef node, string[] seeds, TimeSpan timeout)
    {
        var log = Logging.GetLogger(system, typeof(DrogulusHostingExtensions));
        node.Ask<IJoinReply>(new Join(seeds), timeout).ContinueWith(
            task =>
            {
                switch (task.IsCompletedSuccessfully ? task.Result : null)
                {
                    case Joined joined:
                        log.Info("Drogulus node joined through {Seeds}: {Contacts} contacts", string.Join(", ", seeds), joined.ContactCount);
                        break;
                    case JoinFailed failed:
                        log.Warning("Drogulus node could not join through {Seeds}: {Reason}", string.Join(", ", seeds), failed.Reason);
                        break;
                    default:
                        log.Warning("Drogulus node could not join through {Seeds}: no answer within {Timeout}", string.Join(", ", seeds), timeout);
                        break;
                }
            },
            TaskScheduler.Default);
    }
}
