using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Drogulus.LocalNetwork;
using Serilog;
using Spectre.Console;

// The README's main command: a local network of Drogulus nodes that stores and reads signed values.
var options = Options.Parse(args, out var error, out var help);
if (options is null)
{
    (help ? Console.Out : Console.Error).WriteLine(error);
    return help ? 0 : 2;
}

// Akka's log goes through Serilog: structured properties (NodeId, PeerId, Key, ...), warnings and up, into a
// file: lines printed into the progress display would tear it. The console shows how many there were.
var logPath = Path.Combine(Path.GetTempPath(), $"drogulus-local-network-{Environment.ProcessId}.log");
var warnings = new WarningCounter();
Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Warning()
    .WriteTo.File(logPath, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}")
    .WriteTo.Sink(warnings)
    .CreateLogger();
var config = ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.stdout-loglevel = WARNING
    akka.loggers = ["Akka.Logger.Serilog.SerilogLogger, Akka.Logger.Serilog"]
    akka.logger-formatter = "Akka.Logger.Serilog.SerilogLogMessageFormatter, Akka.Logger.Serilog"
    """);
using var system = ActorSystem.Create("drogulus-local", config);
// request-timeout 2s (reference: 5s): on 127.0.0.1 a reply takes milliseconds, and the update scenario's
// requests to stopped TLS nodes end only by this timeout, so it sets the scenario's run time.
var settings = DrogulusConfig.SettingsFrom($"drogulus {{ transport = {options.Transport}, k = {options.K}, alpha = {Math.Min(3, options.K)}, request-timeout = 2s }}");
var timeout = settings.LookupTimeout + settings.RequestTimeout + settings.RequestTimeout;
ITransportFactory transport = options.Transport == "tls" ? new TlsTransport() : new MemoryNetwork();
var random = new Random(options.Seed);

AnsiConsole.MarkupLine($"[bold]Drogulus local network[/]: {options.Nodes} nodes, {options.Items} signed items, {(options.Transport == "tls" ? "TLS 1.3 on 127.0.0.1" : "in-memory network")}, k={settings.K}, alpha={settings.Alpha}, request-timeout={settings.RequestTimeout.TotalSeconds:F0}s");

var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
var nodes = new List<DemoNode>();
var joinClock = Stopwatch.StartNew();
var publishers = new List<PublisherKey>();
var puts = new List<(SignedItem Item, PutCompleted? Reply, double Ms, int Rpcs, Key From)>();
var gets = new List<(bool Found, double Ms, int Rpcs)>();
UpdateReport? update = null;
var failedJoins = 0;
var joinTimeouts = 0;
var putTimeouts = 0;
var getTimeouts = 0;
var updateTimedOut = false;
const int JoinWave = 16;
if (options.K >= options.Nodes)
{
    AnsiConsole.MarkupLine($"[yellow]k={options.K} is not below the node count: every node holds every item, so gets run no lookup[/]");
}

await AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .StartAsync(async progress =>
    {
        var start = progress.AddTask("start and join nodes", maxValue: options.Nodes);
        for (var i = 0; i < options.Nodes; i++)
        {
            // The store is the node's own, outside the actor, so that the update scenario can stop and restart it.
            var node = new DemoNode(i, NodeIdentity.Generate(system.Scheduler.Now), new InMemoryItemStore());
            node.Ref = system.ActorOf(NodeActor.Props(settings, node.Identity, transport, node.Store, seed: options.Seed + i), $"node-{i}");
            node.Restarts = 1;
            nodes.Add(node);
        }

        var seed = await nodes[0].Ref.Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
        start.Increment(1);

        // In waves of JoinWave at a time: a hundred handshakes with one seed at once only time out on a busy machine.
        var joins = await Bounded(nodes.Skip(1).ToArray(), JoinWave, async node =>
        {
            var reply = await AskOrTimeout<IJoinReply>(node.Ref, new Join([seed.Endpoint]), timeout);
            start.Increment(1);
            return reply;
        });
        failedJoins = joins.Count(reply => reply is not Joined);
        joinTimeouts = joins.Count(reply => reply is null);
        joinClock.Stop();

        var keys = progress.AddTask("generate 3 publisher keys (RSA 2048)", maxValue: 3);
        for (var i = 0; i < 3; i++)
        {
            publishers.Add(PublisherKey.Generate());
            keys.Increment(1);
        }

        var putTask = progress.AddTask("publish signed items", maxValue: options.Items);
        var now = SignedItem.UnixSeconds(system.Scheduler.Now);
        var plans = Enumerable.Range(0, options.Items)
            .Select(i => (Item: SignedItem.Create(publishers[i % publishers.Count], $"item-{i}", $"value {i} from the local network demo", now, 0),
                From: nodes[random.Next(nodes.Count)]))
            .ToArray();
        puts.AddRange(await Bounded(plans, 16, async plan =>
        {
            var clock = Stopwatch.StartNew();
            var reply = await AskOrTimeout<IPutReply>(plan.From.Ref, new Put(plan.Item), timeout);
            putTask.Increment(1);
            if (reply is null)
            {
                Interlocked.Increment(ref putTimeouts);
            }

            var completed = reply as PutCompleted;
            return (plan.Item, completed, clock.Elapsed.TotalMilliseconds, completed?.RpcsSent(plan.From.Id) ?? 0, plan.From.Id);
        }));

        var getTask = progress.AddTask("read them back from nodes holding no copy", maxValue: options.Items);
        var reads = puts.Select(put => (put.Item, Reader: NonHolder(put.From, Holders(put.Reply)))).ToArray();
        gets.AddRange(await Bounded(reads, 16, async read =>
        {
            var clock = Stopwatch.StartNew();
            var reply = await AskOrTimeout<IGetReply>(read.Reader, new Get(read.Item.Key), timeout);
            getTask.Increment(1);
            if (reply is null)
            {
                Interlocked.Increment(ref getTimeouts);
            }

            return reply is ValueFound found && found.Item.Equals(read.Item)
                ? (true, clock.Elapsed.TotalMilliseconds, found.Stats.RpcsSent)
                : (false, clock.Elapsed.TotalMilliseconds, 0);
        }));

        if (options.UpdateItems > 0)
        {
            var updates = puts.Where(p => p.Reply is { StoredCount: > 0 }).Take(options.UpdateItems)
                .Select(p => (V1: p.Item, Holders: (IReadOnlySet<Key>)Holders(p.Reply))).ToArray();
            var updateTask = progress.AddTask("update items while a quarter of their holders are away", maxValue: updates.Length);
            var scenario = new UpdateScenario(system, settings, transport, nodes, seed.Endpoint, random);
            try
            {
                update = await scenario.RunAsync(updates, [.. publishers], () => updateTask.Increment(1));
            }
            catch (AskTimeoutException)
            {
                updateTimedOut = true;
            }
        }
    });

var memoryPerNode = (GC.GetTotalMemory(forceFullCollection: true) - memoryBefore) / 1024.0 / options.Nodes;
var stored = puts.Count(p => p.Reply is { StoredCount: > 0 });
var found = gets.Count(g => g.Found);
var report = new Report(
    options.Nodes,
    options.Items,
    options.Transport,
    joinClock.Elapsed.TotalSeconds,
    stored,
    found,
    gets.Count(g => g.Found && g.Rpcs == 0),
    (double)found / options.Items,
    Percentiles.Of(gets.Where(g => g.Found).Select(g => (double)g.Rpcs).ToArray()),
    Percentiles.Of(puts.Select(p => (double)p.Rpcs).ToArray()),
    Percentiles.Of(gets.Select(g => g.Ms).ToArray()),
    Percentiles.Of(puts.Select(p => p.Ms).ToArray()),
    memoryPerNode,
    update);

var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
table.AddRow("nodes joined through one seed", $"{report.Nodes - failedJoins} / {report.Nodes} in {report.JoinSeconds:F2} s");
table.AddRow("requests that timed out (join / put / get)", $"{joinTimeouts} / {putTimeouts} / {getTimeouts}");
if (updateTimedOut)
{
    table.AddRow("update scenario", "a request timed out: not finished");
}

table.AddRow("items published (stored on ≥ 1 node)", $"{report.ItemsStored} / {report.Items}");
table.AddRow("items read back from another node", $"{report.ItemsFound} / {report.Items} ({report.SuccessRate:P1})");
table.AddRow($"  of which answered from the reader's own store (k={settings.K})", $"{report.FoundLocally}");
table.AddRow("RPCs per get (p50 / p99)", $"{report.RpcsPerGet.P50} / {report.RpcsPerGet.P99}");
table.AddRow("RPCs per put (p50 / p99)", $"{report.RpcsPerPut.P50} / {report.RpcsPerPut.P99}");
table.AddRow("get latency ms (p50 / p99)", $"{report.GetLatencyMs.P50:F2} / {report.GetLatencyMs.P99:F2}");
table.AddRow("put latency ms (p50 / p99)", $"{report.PutLatencyMs.P50:F2} / {report.PutLatencyMs.P99:F2}");
table.AddRow("memory per node", $"{report.MemoryPerNodeKiB:F0} KiB");
if (update is not null)
{
    table.AddRow($"update: items put again (v2) with holders of v1 away", $"{update.V2Stored} / {update.Items}");
    table.AddRow("  holders of v1 stopped during the v2 put", $"{update.HoldersStopped} of {update.HoldersOfV1}");
    table.AddRow("  plain reads that saw v1 after the holders came back", $"{update.PlainReadsSawV1} / {update.PlainReads}");
    table.AddRow("  latest reads that saw v1", $"{update.LatestReadsSawV1} / {update.LatestReads}");
    table.AddRow("  reads that found nothing", $"{update.ReadsFailed}");
}

AnsiConsole.Write(table);
AnsiConsole.MarkupLine($"{warnings.Count} warnings logged to [blue]{Markup.Escape(logPath)}[/]");
if (update is not null)
{
    AnsiConsole.MarkupLine($"update scenario restart: {Markup.Escape(update.Restart)}");
}

if (options.JsonPath is { } path)
{
    await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    AnsiConsole.MarkupLine($"figures written to [blue]{Markup.Escape(path)}[/]");
}

foreach (var publisher in publishers)
{
    publisher.Dispose();
}

await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
await Log.CloseAndFlushAsync();
var passed = !updateTimedOut && failedJoins == 0 && putTimeouts == 0 && getTimeouts == 0 && found == options.Items && (update is null || update.ReadsFailed == 0);
AnsiConsole.MarkupLine(passed ? "[green]passed[/]" : "[red]failed[/]: a join, put or get failed or timed out (see the table)");
return passed ? 0 : 1;

// A request that got no answer in time is a row in the report, not an unhandled exception.
static async Task<T?> AskOrTimeout<T>(IActorRef node, object message, TimeSpan timeout)
    where T : class
{
    try
    {
        return await node.Ask<T>(message, timeout);
    }
    catch (AskTimeoutException)
    {
        return null;
    }
}

static HashSet<Key> Holders(PutCompleted? reply) =>
    reply?.Outcomes.Where(o => o.Result == StoreResult.Stored).Select(o => o.NodeId).ToHashSet() ?? [];

// A reader that neither put the item nor was told to store it, so that its get runs a lookup; any other
// node when every node holds a copy (k at least the node count).
IActorRef NonHolder(Key publisher, HashSet<Key> holders)
{
    var candidates = nodes.Where(n => n.Id != publisher && !holders.Contains(n.Id)).ToList();
    if (candidates.Count == 0)
    {
        candidates = nodes.Where(n => n.Id != publisher).ToList();
    }

    return candidates[random.Next(candidates.Count)].Ref;
}

static async Task<List<TResult>> Bounded<T, TResult>(IReadOnlyList<T> work, int parallelism, Func<T, Task<TResult>> run)
{
    var results = new TResult[work.Count];
    var next = -1;
    var workers = Enumerable.Range(0, parallelism).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < work.Count)
        {
            results[i] = await run(work[i]);
        }
    });
    await Task.WhenAll(workers);
    return [.. results];
}
