using System.Diagnostics;
using Drogulus.Core.Identity;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Diagnostics;

/// <summary>
/// The node's traces: one <see cref="ActivitySource"/> named <see cref="SourceName"/> ("Drogulus") with the
/// activities named below. Subscribe with OpenTelemetry (<c>AddSource(DrogulusActivity.SourceName)</c>) or an
/// <see cref="ActivityListener"/>; with no listener no activity is created.
/// </summary>
/// <remarks>
/// An operation spans several messages of an actor, on whatever threads the dispatcher picks, so these activities
/// never become <see cref="Activity.Current"/>: a get or put is a root, its lookup its child, an inbound request a
/// root whose data-store part (for <c>store</c> and <c>findvalue</c>) is its child. Tags: <c>drogulus.node</c> and,
/// where they apply, <c>drogulus.key</c>, <c>drogulus.peer</c> (16 hexadecimal digits each), <c>drogulus.type</c>
/// (the wire name), <c>drogulus.kind</c> and <c>drogulus.outcome</c>.
/// </remarks>
public static class DrogulusActivity
{
    /// <summary>Name of the activity source.</summary>
    public const string SourceName = DrogulusMetrics.MeterName;

    /// <summary>A client get, from the local read to the answer (GetActor).</summary>
    public const string Get = "drogulus.get";

    /// <summary>A client put or a republish, from its lookup to the last store's answer (PutActor).</summary>
    public const string Put = "drogulus.put";

    /// <summary>One lookup (LookupActor); a child of its get or put.</summary>
    public const string Lookup = "drogulus.lookup";

    /// <summary>An inbound request in the routing table: rate limit, blacklist, contact refresh, and the answer to ping and findnode.</summary>
    public const string Inbound = "drogulus.inbound";

    /// <summary>The data store's part of an inbound <c>store</c> or <c>findvalue</c> (a child of <see cref="Inbound"/>).</summary>
    public const string InboundData = "drogulus.inbound.data";

    internal static readonly ActivitySource Source = new(SourceName, typeof(DrogulusActivity).Assembly.GetName().Version?.ToString(3));

    /// <summary>Starts an activity of node <paramref name="node"/>, or returns null when nobody listens.</summary>
    internal static Activity? Start(string name, ActivityKind kind, NodeMetrics node, ActivityContext parent = default)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // Whatever is current on this dispatcher thread belongs to nobody here: our activities are roots or
        // children of the parent given, and they are not left current when the message handler returns.
        var current = Activity.Current;
        if (current is not null)
        {
            Activity.Current = null;
        }

        var activity = Source.StartActivity(name, kind, parent);
        if (Activity.Current != current)
        {
            Activity.Current = current;
        }

        activity?.SetTag("drogulus.node", node.Tag.Value);
        return activity;
    }

    /// <summary>Starts the activity of an inbound request, or returns null when nobody listens.</summary>
    internal static Activity? StartInbound(string name, InboundRequest inbound, NodeMetrics node, ActivityContext parent = default)
    {
        var activity = Start(name, parent == default ? ActivityKind.Server : ActivityKind.Internal, node, parent);
        activity?.SetTag("drogulus.type", inbound.Request.WireName).SetTag("drogulus.peer", inbound.From.Id.ToShortString());
        return activity;
    }

    /// <summary>Tags <paramref name="activity"/> with the key it is about.</summary>
    internal static Activity? WithKey(this Activity? activity, Key key) => activity?.SetTag("drogulus.key", key.ToShortString());

    /// <summary>The context to give a child activity; default when there is no activity.</summary>
    internal static ActivityContext ContextOf(Activity? activity) => activity?.Context ?? default;

    /// <summary>Stops <paramref name="activity"/> (if any) with <paramref name="outcome"/>, and forgets it.</summary>
    /// <param name="activity">The activity; null afterwards.</param>
    /// <param name="outcome">The <c>drogulus.outcome</c> tag.</param>
    /// <param name="failed">Whether the operation failed (the activity's status is then Error).</param>
    internal static void Stop(ref Activity? activity, string outcome, bool failed = false)
    {
        if (activity is null)
        {
            return;
        }

        var current = Activity.Current;
        activity.SetTag("drogulus.outcome", outcome);
        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome);
        }

        activity.Stop();
        if (Activity.Current != current)
        {
            Activity.Current = current;
        }

        activity = null;
    }
}
