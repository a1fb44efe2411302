using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Diagnostics;

namespace Drogulus.Actors.Tests.Diagnostics;

/// <summary>Issue 12: gets, puts, their lookups and inbound requests are activities of the Drogulus source.</summary>
public sealed class DrogulusActivityTests : TestKit
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public DrogulusActivityTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DrogulusActivity.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public void Get_should_be_an_activity_with_its_lookup_as_child_and_the_holder_should_trace_the_findvalue()
    {
        var net = DiagnosticsNetwork.Start(this, DiagnosticsNetwork.Identities(this, 3));
        net.Put();

        net.Get();
        net.Status(net.Holder);

        var getter = MetricsRecorder.Tag(net.Ids[net.Getter]);
        var get = Assert.Single(Of(DrogulusActivity.Get, getter));
        Assert.Equal("found", get.GetTagItem("drogulus.outcome"));
        Assert.Equal(net.Item.Key.ToShortString(), get.GetTagItem("drogulus.key"));
        Assert.Equal(default, get.ParentSpanId);
        var lookup = Assert.Single(Of(DrogulusActivity.Lookup, getter), a => a.ParentSpanId == get.SpanId);
        Assert.Equal(get.TraceId, lookup.TraceId);
        Assert.Equal("findvalue", lookup.GetTagItem("drogulus.kind"));
        Assert.Equal("succeeded", lookup.GetTagItem("drogulus.outcome"));

        var holder = MetricsRecorder.Tag(net.Ids[net.Holder]);
        var inbound = Assert.Single(Of(DrogulusActivity.Inbound, holder), a => (string?)a.GetTagItem("drogulus.type") == "findvalue");
        Assert.Equal(ActivityKind.Server, inbound.Kind);
        Assert.Equal(getter, inbound.GetTagItem("drogulus.peer"));
        var data = Assert.Single(Of(DrogulusActivity.InboundData, holder), a => a.ParentSpanId == inbound.SpanId);
        Assert.Equal("findvalue", data.GetTagItem("drogulus.type"));
    }

    [Fact]
    public void Put_should_be_an_activity_with_its_findnode_lookup_as_child_when_it_completes()
    {
        var net = DiagnosticsNetwork.Start(this, DiagnosticsNetwork.Identities(this, 3));

        net.Put();

        var putter = MetricsRecorder.Tag(net.Ids[net.Putter]);
        var put = Assert.Single(Of(DrogulusActivity.Put, putter));
        Assert.Equal("completed", put.GetTagItem("drogulus.outcome"));
        Assert.Equal("put", put.GetTagItem("drogulus.kind"));
        Assert.Equal(ActivityStatusCode.Unset, put.Status);
        var lookup = Assert.Single(Of(DrogulusActivity.Lookup, putter), a => a.ParentSpanId == put.SpanId);
        Assert.Equal("findnode", lookup.GetTagItem("drogulus.kind"));
    }

    protected override void Dispose(bool disposing)
    {
        _listener.Dispose();
        base.Dispose(disposing);
    }

    private IEnumerable<Activity> Of(string name, string node) =>
        _stopped.Where(a => a.OperationName == name && (string?)a.GetTagItem("drogulus.node") == node);
}
