using System.Text.Json;
using Drogulus.Core.Identity;

namespace Drogulus.PeerBench;

/// <summary>
/// A child process of <c>--processes P</c> (<c>--child</c>): hosts its share of the network's nodes with its own
/// descriptor limit, prints one ready line with their endpoints, then runs the parent's requests (join, put, get,
/// status, probe, memory) as they come on stdin, several at once, each answered by one line on stdout. Lines of the
/// protocol start with <see cref="ReadyMark"/> or <see cref="ReplyMark"/>; anything else on stdout (a warning from
/// Akka's logger) is only passed on by the parent. When stdin closes (the parent exited or crashed) it stops.
/// </summary>
internal static class ChildHost
{
    public const string ReadyMark = "@peerbench-ready ";
    public const string ReplyMark = "@peerbench-reply ";

    public static async Task<int> Run(int first, int count, int maxConnections, int seed, TimeSpan timeout, string extraHocon)
    {
        var local = new LocalNodes(first, count, maxConnections, seed, timeout, extraHocon);
        local.CreateSystem();
        using var probe = new PhaseProbe();
        var (heap0, rss0) = LocalNodes.Memory();
        local.GenerateIdentities(DateTimeOffset.UtcNow);
        local.Start();
        var statuses = await local.Statuses();
        Console.Out.WriteLine(ReadyMark + JsonSerializer.Serialize(new ChildReady(Environment.ProcessId, count, statuses.Select(s => s.Endpoint).ToArray())));
        // Blocking reads of stdin on a thread of their own, so that no thread-pool thread the nodes need waits on the pipe.
        await Task.Factory.StartNew(
            () =>
            {
                using var input = new StreamReader(Console.OpenStandardInput());
                while (input.ReadLine() is { } line)
                {
                    var request = JsonSerializer.Deserialize<ChildRequest>(line) ?? throw new InvalidDataException(line);
                    _ = Task.Run(() => Answer(request, local, probe, heap0, rss0));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await local.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        return 0;
    }

    private static async Task Answer(ChildRequest request, LocalNodes local, PhaseProbe probe, long heap0, long rss0)
    {
        ChildReply reply;
        try
        {
            object body = request.Op switch
            {
                "join" => await local.Join(request.Node, request.Seed!),
                "put" => await local.Put(request.Node, request.Item!.ToItem(), request.Duplicate),
                "get" => GetOutcomeText.From(await local.Get(request.Node, Key.Parse(request.Key!), request.Latest)),
                "status" => await local.Statuses(),
                "probe" => probe.Snapshot(),
                "memory" => Memory(heap0, rss0),
                _ => throw new InvalidOperationException($"unknown request {request.Op}"),
            };
            reply = new ChildReply(request.Id, JsonSerializer.SerializeToElement(body), null);
        }
        catch (Exception e)
        {
            reply = new ChildReply(request.Id, null, $"{e.GetType().Name}: {e.Message}");
        }

        // Console.Out is synchronized: one WriteLine is one whole line, also among concurrent answers.
        Console.Out.WriteLine(ReplyMark + JsonSerializer.Serialize(reply));
    }

    private static ChildMemory Memory(long heap0, long rss0)
    {
        var (heap1, rss1) = LocalNodes.Memory();
        return new ChildMemory(heap0, rss0, heap1, rss1);
    }
}

/// <summary>The child's ready line: its process id, how many nodes it hosts and their endpoints, in order.</summary>
internal sealed record ChildReady(int Pid, int Nodes, string[] Endpoints);

/// <summary>One request from the parent; <see cref="Node"/> is the node's index in the child.</summary>
internal sealed record ChildRequest(long Id, string Op, int Node = 0, ItemText? Item = null, int? Duplicate = null, string? Key = null, bool Latest = false, string? Seed = null);

/// <summary>The answer to request <see cref="Id"/>: its body, or what went wrong.</summary>
internal sealed record ChildReply(long Id, JsonElement? Body, string? Error);

/// <summary>The child's managed heap and resident size before its nodes started and now, after a full GC.</summary>
internal sealed record ChildMemory(long Heap0, long Rss0, long Heap1, long Rss1);
