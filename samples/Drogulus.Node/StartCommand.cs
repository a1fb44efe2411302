using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Routing;
using Serilog;

namespace Drogulus.Node;

/// <summary>
/// <c>start</c>: runs a node over TLS until Ctrl-C or SIGTERM, with its items in SQLite and its routing
/// table saved on shutdown and loaded at start (so a restarted node rejoins without seeds).
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
            var settings = LoadSettings(result.GetValue(config), result.GetValue(listen), result.GetValue(reachability));
            using var identity = files.LoadIdentity(CommonOptions.RequirePassphrase(result.GetValue(passphrase)));
            var metricsEndpoint = result.GetValue(metrics) is { } m ? MetricsServer.Parse(m) : null;
            NodeLogging.Configure(files.Logs);
            try
            {
                await using var metricsServer = metricsEndpoint is null ? null : await MetricsServer.StartAsync(metricsEndpoint);
                return await Run(files, settings, identity, result.GetValue(seeds) ?? [], result.GetValue(controlPort), cancel);
            }
            finally
            {
                await Log.CloseAndFlushAsync();
            }
        });
        return command;
    }

    private static DrogulusSettings LoadSettings(string? configFile, string? listen, string? reachability)
    {
        // A command-line node may sit behind NAT: it is an auto node unless told otherwise (PROTOCOL §10); a node
        // hosted in code keeps the library's default, server.
        Config config = ConfigurationFactory.ParseString("drogulus.transport = tls\ndrogulus.reachability = auto");
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
            return DrogulusConfig.SettingsFrom(config);
        }
        catch (ConfigurationException e)
        {
            throw new CliException("bad configuration: " + e.Message);
        }
    }

    private static async Task<int> Run(NodeFiles files, DrogulusSettings settings, Actors.Network.NodeIdentity identity, string[] seeds, int controlPort, CancellationToken cancel)
    {
        if (File.Exists(files.Control) && IsRunning(files.ReadControl()))
        {
            throw new CliException($"a node is already running with data directory {files.Directory}");
        }

        using var store = OpenStore(files);
        var table = LoadRoutingTable(files, settings, identity);
        using var system = ActorSystem.Create("drogulus", ConfigurationFactory.ParseString(NodeLogging.AkkaConfig));
        var timeout = settings.LookupTimeout + settings.RequestTimeout + settings.RequestTimeout;
        var node = system.ActorOf(NodeActor.Props(settings, identity, new TlsTransport(), store, routingTable: table), "node");
        var status = await AwaitListening(node, settings);
        Log.Information("Node {NodeId} listening on {Endpoint}; {Contacts} contacts restored, {Items} items held", status.NodeId.ToShortString(), status.Endpoint, status.Contacts, status.Items);

        var joinSeeds = seeds.Length > 0 ? seeds : table?.AllContacts().Select(c => $"{c.Id}@{c.Endpoint}").Take(settings.K).ToArray() ?? [];
        if (joinSeeds.Length > 0)
        {
            var joined = await node.Ask<IJoinReply>(new Join(joinSeeds), timeout);
            if (joined is JoinFailed failed && seeds.Length > 0)
            {
                // Seeds the user named and that lead nowhere are a mistake to report, not to log and carry on
                // with (a restarted node whose saved contacts are all away keeps running: it may be the first back).
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

        var (control, port) = await ControlServer.StartAsync(node, controlPort, timeout, settings.MaxItemSize);
        files.WriteControl(new ControlEndpoint(port, Environment.ProcessId, status.NodeId.ToString()));
        Console.WriteLine($"node {status.NodeId}");
        Console.WriteLine($"listening on {status.Endpoint}; control channel on 127.0.0.1:{port}; Ctrl-C stops it");

        await WaitForStop(cancel);
        Log.Information("Stopping: saving the routing table");
        try
        {
            var saved = await node.Ask<RoutingTableSaved>(SaveRoutingTable.Instance, settings.RequestTimeout);
            await File.WriteAllBytesAsync(files.RoutingTable, saved.Snapshot, CancellationToken.None);
        }
        catch (AskTimeoutException)
        {
            Log.Warning("The routing table could not be saved in time");
        }

        await control.StopAsync(CancellationToken.None);
        File.Delete(files.Control);
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        return 0;
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

    private static RoutingTable? LoadRoutingTable(NodeFiles files, DrogulusSettings settings, Actors.Network.NodeIdentity identity)
    {
        if (!File.Exists(files.RoutingTable))
        {
            return null;
        }

        try
        {
            return RoutingTableSnapshot.Load(File.ReadAllBytes(files.RoutingTable), identity.Id, settings.K, settings.AllowedRpcFails, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException)
        {
            Log.Warning("Ignoring the unreadable routing table {Path}: {Reason}", files.RoutingTable, e.Message);
            return null;
        }
    }

    private static async Task<NodeStatus> AwaitListening(IActorRef node, DrogulusSettings settings)
    {
        try
        {
            return await node.Ask<NodeStatus>(GetNodeStatus.Instance, settings.RequestTimeout + settings.RequestTimeout);
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
