using System.Net;
using Akka.Actor;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Drogulus.Node;

/// <summary>
/// The local control channel of a running node: a small HTTP endpoint on Kestrel bound to 127.0.0.1 only.
/// Items arrive already signed (the client signs with its own key), so the channel grants no write power
/// that the network does not grant anyway.
/// </summary>
internal static class ControlServer
{
    /// <param name="node">The node actor.</param>
    /// <param name="keeper">The node's own publisher's keeper and its file: a value put under that key with no
    /// <c>expires</c> is kept published (PROTOCOL §10) until <c>DELETE /kept/NAME</c>; null when the node has no publisher key.</param>
    /// <param name="port">The control port, 0 for any.</param>
    /// <param name="timeout">Bound on each request to the node.</param>
    /// <param name="maxItemSize">The node's max-item-size, told to clients.</param>
    /// <param name="state">Where the node stands (joining, running, stopping), for <c>status</c>.</param>
    public static async Task<(WebApplication App, int Port)> StartAsync(IActorRef node, Keeper? keeper, int port, TimeSpan timeout, int maxItemSize, NodeRunState state)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();

        app.MapGet("/status", async () =>
        {
            var status = await node.Ask<NodeStatus>(GetNodeStatus.Instance, timeout);
            return Results.Json(new
            {
                nodeId = status.NodeId.ToString(), state = state.Current, status.Endpoint, status.Contacts, status.Buckets, status.Items, status.Connections, maxItemSize,
                status.Reachability, mode = status.IsServer ? "server" : "client", status.ExternalAddress, status.LastReachabilityTest,
            });
        });

        // Issue 12: the node's health ("can it reach the network"); 503 when unhealthy, for probes that read only
        // the HTTP status. Apart from /status, which stays quick: health may ping contacts first.

        app.MapGet("/health", async () =>
        {
            var health = await node.Ask<NodeHealth>(GetNodeHealth.Instance, timeout);
            return Results.Json(DescribeHealth(health), statusCode: health.IsHealthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapPost("/items", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var decoded = MessageCodec.Decode(body.ToArray());
            if (!decoded.IsSuccess || decoded.Message is not StoreMessage store)
            {
                return Results.BadRequest(new { error = "the body must be a msgpack store message" });
            }

            var reply = await node.Ask<IPutReply>(new Put(store.Item), timeout);
            if (reply is PutCompleted && keeper is not null && store.Item.Expires <= 0 && store.Item.PublicKey == keeper.PublicKeyPem)
            {
                // Put again one interval from now: this put was just made.
                var kept = new KeptItem(store.Item.Name, store.Item.Value, store.Item.Meta);
                keeper.File.Keep(kept);
                await keeper.Actor.Ask<KeptPublished>(new KeepPublished(kept.Name, kept.Value, kept.Meta, PutNow: false), timeout);
            }

            return reply switch
            {
                PutCompleted done => Results.Json(new
                {
                    key = done.Key.ToString(),
                    stored = done.StoredCount,
                    storedRemotely = done.StoredRemotely,
                    storedOnlyLocally = done.StoredOnlyLocally,
                    outcomes = done.Outcomes.Select(o => new { node = o.NodeId.ToString(), result = o.Result.ToString(), o.ErrorCode, o.Detail }),
                }),
                PutFailed failed => Results.UnprocessableEntity(new { error = failed.Reason }),
                var other => Results.Problem(other.ToString()),
            };
        });

        app.MapGet("/items/{key}", async (string key, bool? latest) =>
        {
            if (!Key.TryParse(key, out var parsed))
            {
                return Results.BadRequest(new { error = "a key is 128 hexadecimal digits" });
            }

            return await node.Ask<IGetReply>(new Get(parsed, latest ?? false), timeout) switch
            {
                ValueFound found => Results.Json(Describe(found.Item, found.Stats.RpcsSent)),
                ValueNotFound => Results.NotFound(new { error = "no value under that key" }),
                GetFailed failed => Results.Json(new { error = failed.Reason }, statusCode: StatusCodes.Status503ServiceUnavailable),
                var other => Results.Problem(other.ToString()),
            };
        });

        app.MapDelete("/kept/{name}", async (string name) =>
        {
            if (keeper is null)
            {
                return Results.NotFound(new { error = "this node keeps no value published (it has no publisher key)" });
            }

            var stopped = await keeper.Actor.Ask<StoppedPublishing>(new StopPublishing(name), timeout);
            var removed = keeper.File.Remove(name);
            return stopped.WasKept || removed
                ? Results.Json(new { key = stopped.Key.ToString(), kept = false })
                : Results.NotFound(new { error = "no value of that name is kept published" });
        });

        await app.StartAsync();
        var bound = new Uri(app.Urls.First()).Port;
        return (app, bound);
    }

    public static object DescribeHealth(NodeHealth health) => new
    {
        healthy = health.IsHealthy,
        transportBound = health.TransportBound,
        contactAnswered = health.ContactAnswered,
        alone = health.Alone,
        lastAnswer = health.LastAnswer,
        storeWritable = health.StoreWritable,
        storeHasRoom = health.StoreHasRoom,
        storeBytes = health.StoreBytes,
        maxStoreBytes = health.MaxStoreBytes,
        reasons = health.Reasons,
    };

    private static object Describe(SignedItem item, int rpcs) => new
    {
        key = item.Key.ToString(),
        name = item.Name,
        value = ValueText.Describe(item.Value),
        timestamp = item.Timestamp,
        expires = item.Expires,
        createdWith = item.CreatedWith,
        publicKey = item.PublicKey,
        meta = item.Meta,
        rpcs,
    };
}

/// <summary>The node's own publisher's keeper (a <see cref="Actors.Node.KeepPublishedActor"/>) and the file that lets a restart resume it.</summary>
internal sealed record Keeper(IActorRef Actor, KeptItemsFile File, string PublicKeyPem);
