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
    public static async Task<(WebApplication App, int Port)> StartAsync(IActorRef node, int port, TimeSpan timeout, int maxItemSize)
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
                nodeId = status.NodeId.ToString(), status.Endpoint, status.Contacts, status.Buckets, status.Items, status.Connections, maxItemSize,
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

            return await node.Ask<IPutReply>(new Put(store.Item), timeout) switch
            {
                PutCompleted done => Results.Json(new
                {
                    key = done.Key.ToString(),
                    stored = done.StoredCount,
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

        await app.StartAsync();
        var bound = new Uri(app.Urls.First()).Port;
        return (app, bound);
    }

    private static object DescribeHealth(NodeHealth health) => new
    {
        healthy = health.IsHealthy,
        transportBound = health.TransportBound,
        contactAnswered = health.ContactAnswered,
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
