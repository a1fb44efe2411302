using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Footprint;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Items;
using Drogulus.Core.Routing;
using Serilog;

namespace Drogulus.Node;

/// <summary>
/// <c>start</c>: runs a node over TLS until Ctrl-C or SIGTERM, with its items in SQLite and its routing
/// table saved while it runs and on shutdown and loaded at start (so a restarted node, also one killed with
/// SIGKILL, rejoins without seeds).
/// </summary>
internal static class StartCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var passphrase = CommonOptions.Passphrase();
        var listen = new Option<string?>("--listen") { Description = "host:port to accept peers on (default from the configuration: 127.0.0.1:0)." };
        var seeds = new Option<string[]>("--seed") { Description = "A seed as host:port or <node id hex>@host:port; repeat for more." };
        var config = new Option<string?>("--config") { Description = "A HOCON file with a drogulus { } block (see hocon/reference.conf)." };
        var controlPort = new Option<int>("--control-port") { Description = "Port of the local control channel on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0 };
        var metrics = new Option<string?>("--metrics") { Description = "host:port to serve metrics on in Prometheus text format at /metrics (default: none; no authentication)." };
        var reachability = new Option<string?>("--reachability")
        {
            Description = "server, client or auto (default: auto, unless the configuration file sets drogulus.reachability): "
                + "auto starts as a client, which peers never add or store to, and becomes a server once peers could dial it back.",
        };
        reachability.AcceptOnlyFromAmong("server", "client", "auto");
        var command = new Command("start", "Run a node until Ctrl-C.") { data, passphrase, listen, seeds, config, controlPort, metrics, reachability };
        command.SetAction(async (result, cancel) =>
        {
            var files = new NodeFiles(result.GetRequiredValue(data));
            var (settings, akka) = LoadSettings(result.GetValue(config), result.GetValue(listen), files.RoutingTable, result.GetValue(reachability));
            using var identity = files.LoadIdentity(CommonOptions.RequirePassphrase(result.GetValue(passphrase)));
            var metricsEndpoint = result.GetValue(metrics) is { } m ? MetricsServer.Parse(m) : null;
            NodeLogging.Configure(files.Logs);
            try
            {
                using var publisher = File.Exists(files.PublisherKey) ? files.LoadPublisher(CommonOptions.RequirePassphrase(result.GetValue(passphrase))) : null;
                return await Run(files, settings, akka, identity, publisher, result.GetValue(seeds) ?? [], result.GetValue(controlPort), metricsEndpoint, cancel);
            }
            finally
            {
                await Log.CloseAndFlushAsync();
            }
        });
        return command;
    }

    /// <summary>
    /// The actor system of a command-line node: Akka's logging through Serilog, and a scheduler that wakes only when
    /// a timer is due (Akka's default wakes every 10 ms while any timer is pending: about 4 % of a core for an idle
    /// node; see benchmarks/Drogulus.IdleBenchmark). An <c>akka { }</c> block of <c>--config</c> overrides these.
    /// </summary>
    internal const string AkkaConfig = NodeLogging.AkkaConfig + "\n" + """
        akka.scheduler.implementation = "Drogulus.Actors.Scheduling.TimerQueueScheduler, Drogulus.Actors"
        """;

    private static (DrogulusSettings Settings, Config Akka) LoadSettings(string? configFile, string? listen, string routingTableFile, string? reachability)
    {
        // A node process of its own: TLS, and the heap trimmed after bursts (off in the library, whose host owns
        // its process); --config may turn it off. The table is saved while the node runs and at stop
        // (drogulus.routing-table), in the data directory unless the configuration names another file. A command-line
        // node may sit behind NAT: it is an auto node unless told otherwise (PROTOCOL §10); a node hosted in code
        // keeps the library's default, server.
        Config config = ConfigurationFactory.ParseString("drogulus { transport = tls, heap-trim.enabled = on, reachability = auto }\ndrogulus.routing-table.file = " + HoconString(routingTableFile));
        var akka = ConfigurationFactory.ParseString(AkkaConfig);
        if (configFile is not null)
        {
            try
            {
                var text = NodeFiles.ReadText(configFile, "configuration file");

                // Before the parser, which loops for ever on some unclosed lists and lets unclosed blocks pass.
                if (HoconBraces.FindUnbalanced(text) is { } unbalanced)
                {
                    throw new CliException($"cannot use the HOCON file {configFile}: {unbalanced}");
                }

                Config file;
                try
                {
                    file = ConfigurationFactory.ParseString(text);
                }
                catch (Exception e)
                {
                    throw new CliException($"cannot parse the HOCON file {configFile}: {HoconBraces.Locate(text, e.Message)}");
                }

                var meaningful = text.Split('\n').Any(line => line.Trim() is { Length: > 0 } t && !t.StartsWith('#') && !t.StartsWith("//", StringComparison.Ordinal));
                if (file.IsEmpty && meaningful)
                {
                    throw new CliException($"cannot use the HOCON file {configFile}: it holds text but no setting");
                }

                // Akka's parser accepts much that is not HOCON; a file for a node holds drogulus { } and akka { } only.
                var stray = file.AsEnumerable().Select(entry => entry.Key).FirstOrDefault(key => key is not ("drogulus" or "akka"));
                if (stray is not null)
                {
                    throw new CliException($"cannot use the HOCON file {configFile}: '{stray}' is neither a drogulus {{ }} nor an akka {{ }} block");
                }

                config = file.WithFallback(config);
                // Its akka { } block (the drogulus { } block beside it is not read by Akka) tunes the actor system.
                akka = file.WithFallback(akka);
            }
            catch (Exception e) when (e is not CliException)
            {
                throw new CliException($"cannot parse the HOCON file {configFile}: {e.Message}");
            }
        }

        if (listen is not null)
        {
            var colon = listen.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(listen[(colon + 1)..], out var port) || port is < 0 or > 65535)
            {
                throw new CliException($"--listen takes host:port, not '{listen}'");
            }

            var host = listen[..colon].Trim('[', ']');
            config = ConfigurationFactory.ParseString($"drogulus.listen {{ host = \"{host}\", port = {port} }}").WithFallback(config);
        }

        if (reachability is not null)
        {
            config = ConfigurationFactory.ParseString($"drogulus.reachability = {reachability}").WithFallback(config);
        }

        try
        {
            return (DrogulusConfig.SettingsFrom(config), akka);
        }
        catch (ConfigurationException e)
        {
            throw new CliException("bad configuration: " + e.Message);
        }
    }

    private static string HoconString(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static async Task<int> Run(
        NodeFiles files, DrogulusSettings settings, Config akka, Actors.Network.NodeIdentity identity, PublisherKey? publisher, string[] seeds, int controlPort,
        System.Net.IPEndPoint? metricsEndpoint, CancellationToken cancel)
    {
        if (File.Exists(files.Control) && IsRunning(files.ReadControl()))
        {
            throw new CliException($"a node is already running with data directory {files.Directory}");
        }

        using var store = OpenStore(files);
        var table = LoadRoutingTable(settings, identity);
        using var system = ActorSystem.Create("drogulus", akka);
        var timeout = settings.LookupTimeout + settings.RequestTimeout + settings.RequestTimeout;
        var node = system.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), store, routingTable: table), "node");
        if (settings.HeapTrimEnabled)
        {
            system.ActorOf(HeapTrimActor.Props(settings), "heap-trim");
        }

        var status = await AwaitListening(node, settings);
        Log.Information("Node {NodeId} listening on {Endpoint}; {Contacts} contacts restored, {Items} items held", status.NodeId.ToShortString(), status.Endpoint, status.Contacts, status.Items);

        // Metrics and probes from here on: a node that is still joining is live, and not yet ready.
        await using var metricsServer = metricsEndpoint is null ? null : await MetricsServer.StartAsync(metricsEndpoint, node, status.NodeId.ToString(), timeout);

        // The control channel answers from here on, so that `status` says "joining" during a long join rather than
        // that no node runs.
        var state = new NodeRunState();
        var keeper = StartKeeper(system, node, files, settings, publisher);
        var (control, port) = await ControlServer.StartAsync(node, keeper, controlPort, timeout, settings.MaxItemSize, state);
        files.WriteControl(new ControlEndpoint(port, Environment.ProcessId, status.NodeId.ToString()));

        var joinSeeds = seeds.Length > 0 ? seeds : table?.AllContacts().Select(c => $"{c.Id}@{c.Endpoint}").Take(settings.K).ToArray() ?? [];
        if (joinSeeds.Length > 0)
        {
            state.Current = NodeRunState.Joining;
            var joined = await node.Ask<IJoinReply>(new Join(joinSeeds), timeout);
            if (joined is JoinFailed failed && seeds.Length > 0)
            {
                // Seeds the user named and that lead nowhere are a mistake to report, not to log and carry on
                // with (a restarted node whose saved contacts are all away keeps running: it may be the first back).
                await control.StopAsync(CancellationToken.None);
                File.Delete(files.Control);
                throw new CliException($"cannot join through --seed {string.Join(' ', seeds)}: {failed.Reason}");
            }

            if (joined is Joined ok)
            {
                Log.Information("Joined the network through {SeedCount} seeds: {ContactCount} contacts", joinSeeds.Length, ok.ContactCount);
            }
            else if (joined is JoinFailed notJoined)
            {
                Log.Warning("Could not join through the saved contacts: {Reason}", notJoined.Reason);
            }
        }
        else
        {
            // Nothing to join through: the first node of a new network, or a forgotten --seed.
            Log.Warning("Node {NodeId} is alone: it has no saved contacts and no --seed; it waits for other nodes to join through it", status.NodeId.ToShortString());
        }

        ResumeKept(keeper, settings);
        state.Current = NodeRunState.Running;
        Console.WriteLine($"node {status.NodeId}");
        Console.WriteLine($"listening on {status.Endpoint}; control channel on 127.0.0.1:{port}; Ctrl-C stops it");

        await WaitForStop(cancel);

        // The routing table actor writes the table to drogulus.routing-table.file as it stops (and saved it while running).
        Log.Information("Stopping");
        state.Current = NodeRunState.Stopping;
        await control.StopAsync(CancellationToken.None);
        File.Delete(files.Control);
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        return 0;
    }

    // PROTOCOL §10: the values this node put with its own publisher key are put again before max-item-age; a restart
    // resumes them, putting each at once (when each was last put is not known, and a newer timestamp does no harm).
    private static Keeper? StartKeeper(ActorSystem system, IActorRef node, NodeFiles files, DrogulusSettings settings, PublisherKey? publisher)
    {
        if (publisher is null)
        {
            return null;
        }

        var actor = system.ActorOf(KeepPublishedActor.Props(node, publisher, settings), "keep-published");
        return new Keeper(actor, new KeptItemsFile(files.KeptItems), publisher.PublicKeyPem);
    }

    // After the join, so that the first put of each resumed value reaches the network.
    private static void ResumeKept(Keeper? keeper, DrogulusSettings settings)
    {
        if (keeper is null)
        {
            return;
        }

        var kept = keeper.File.Load();
        foreach (var item in kept)
        {
            keeper.Actor.Tell(new KeepPublished(item.Name, item.Value, item.Meta), ActorRefs.NoSender);
        }

        if (kept.Count > 0)
        {
            Log.Information("Keeping {Count} values published (put again every {Interval})", kept.Count, settings.KeepAliveInterval);
        }
    }

    private static SqliteItemStore OpenStore(NodeFiles files)
    {
        try
        {
            Directory.CreateDirectory(files.Directory);
            return SqliteItemStore.Open(files.Items);
        }
        catch (Exception e) when (e is not CliException)
        {
            throw new CliException($"cannot open the item database {files.Items}: {e.Message}");
        }
    }

    private static RoutingTable? LoadRoutingTable(DrogulusSettings settings, Actors.Network.NodeIdentity identity)
    {
        if (settings.RoutingTableFile.Length == 0)
        {
            return null;
        }

        var file = new RoutingTableFile(settings.RoutingTableFile);
        try
        {
            return file.Load(identity.Id, settings.K, settings.AllowedRpcFails, DateTimeOffset.UtcNow, settings.RoutingLimits);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Log.Warning("Ignoring the unreadable routing table {Path}: {Reason}", file.Path, e.Message);
            return null;
        }
    }

    private static async Task<NodeStatus> AwaitListening(IActorRef node, DrogulusSettings settings)
    {
        try
        {
            // Binding answers at once (a failure too); the wait is only a ceiling, as long as a join may take, so that a
            // machine whose cores are kept busy by something else does not make a start fail (issue 26).
            return await node.Ask<NodeStatus>(GetNodeStatus.Instance, settings.JoinTimeout);
        }
        catch (AskTimeoutException)
        {
            throw new CliException($"the node did not start listening on {settings.ListenHost}:{settings.ListenPort} in time");
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static bool IsRunning(ControlEndpoint control)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(control.ProcessId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task WaitForStop(CancellationToken cancel)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
        using var registration = cancel.Register(() => stop.TrySetResult());
        await stop.Task;
    }
}
