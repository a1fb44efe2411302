using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Drogulus.Actors.Protocol;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Drogulus.Hosting;

/// <summary>
/// A health check that means "this node can reach the network": it asks the node for its
/// <see cref="NodeHealth"/> (transport bound, a contact answered within <c>refresh-interval</c>, item store
/// writable, <c>max-store-bytes</c> not exhausted) and reports Unhealthy, with the node's reasons as the
/// description, when a check fails or the node does not answer. <c>WithDrogulusNode</c> registers one
/// (named <see cref="Name"/>, tagged <c>drogulus</c> and <c>ready</c>); add it to a host yourself with
/// <c>AddCheck("name", new DrogulusNodeHealthCheck(node, timeout))</c> for a node started otherwise.
/// </summary>
public sealed class DrogulusNodeHealthCheck : IHealthCheck, IAkkaHealthCheck
{
    /// <summary>The name <c>WithDrogulusNode</c> registers the check under.</summary>
    public const string Name = "drogulus-node";

    private readonly IActorRef? _node;
    private readonly TimeSpan _timeout;

    /// <summary>A check of <paramref name="node"/>, waiting at most <paramref name="timeout"/> for its answer.</summary>
    public DrogulusNodeHealthCheck(IActorRef node, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _timeout = timeout;
    }

    /// <summary>A check of the node registered in the <see cref="ActorRegistry"/> under <see cref="DrogulusNode"/> (Akka.Hosting).</summary>
    public DrogulusNodeHealthCheck(TimeSpan timeout) => _timeout = timeout;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _node is null
            ? Task.FromResult(HealthCheckResult.Unhealthy("the check was made for the actor registry's node: register it through WithDrogulusNode"))
            : CheckAsync(_node, cancellationToken);

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _node is not null ? CheckAsync(_node, cancellationToken)
            : context.ActorRegistry.TryGet<DrogulusNode>(out var node) ? CheckAsync(node, cancellationToken)
            : Task.FromResult(HealthCheckResult.Unhealthy("no Drogulus node is registered yet"));
    }

    /// <summary>The health check result of a node's answer: Healthy, or Unhealthy with its reasons joined.</summary>
    public static HealthCheckResult ToResult(NodeHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        var data = new Dictionary<string, object>
        {
            ["transportBound"] = health.TransportBound,
            ["contactAnswered"] = health.ContactAnswered,
            ["lastAnswer"] = health.LastAnswer?.ToString("O", CultureInfo.InvariantCulture) ?? "never",
            ["storeWritable"] = health.StoreWritable,
            ["storeHasRoom"] = health.StoreHasRoom,
            ["storeBytes"] = health.StoreBytes,
            ["maxStoreBytes"] = health.MaxStoreBytes,
            ["contacts"] = health.Contacts,
            ["alone"] = health.Alone,
        };
        return health.IsHealthy
            ? HealthCheckResult.Healthy(health.Alone ? "the node is alone: the first node of a network, waiting for others to join through it" : "the node can reach the network", data)
            : HealthCheckResult.Unhealthy(string.Join("; ", health.Reasons), data: data);
    }

    private async Task<HealthCheckResult> CheckAsync(IActorRef node, CancellationToken cancel)
    {
        try
        {
            return ToResult(await node.Ask<NodeHealth>(GetNodeHealth.Instance, _timeout, cancel).ConfigureAwait(false));
        }
        catch (AskTimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the node did not answer within {_timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
    }
}
