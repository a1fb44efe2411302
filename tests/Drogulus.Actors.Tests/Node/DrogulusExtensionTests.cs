using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;

namespace Drogulus.Actors.Tests.Node;

public sealed class DrogulusExtensionTests : TestKit
{
    public DrogulusExtensionTests()
        : base(BusyMachine.Waits + "drogulus.k = 7\nakka.loglevel = WARNING")
    {
    }

    [Fact]
    public void Extension_should_fill_every_other_setting_from_reference_conf_when_the_system_sets_only_k()
    {
        var extension = DrogulusExtension.Get(Sys);

        var expected = DrogulusConfig.SettingsFrom("drogulus.k = 7");
        Assert.Equal(expected, extension.Settings);
        Assert.Equal(20, DrogulusConfig.SettingsFrom((Config?)null).K);
    }

    [Fact]
    public void Extension_node_should_answer_GetNodeStatus_when_started_from_a_partial_config()
    {
        var extension = DrogulusExtension.Get(Sys);

        extension.Node.Tell(GetNodeStatus.Instance, TestActor);

        var status = ExpectMsg<NodeStatus>();
        Assert.Equal(extension.Identity.Id, status.NodeId);
        Assert.StartsWith("127.0.0.1:", status.Endpoint, StringComparison.Ordinal);
        Assert.NotEqual("127.0.0.1:0", status.Endpoint);
        Assert.Equal(0, status.Contacts);
        Assert.Equal(0, status.Items);
        Assert.Same(extension, DrogulusExtension.Get(Sys));
    }
}
