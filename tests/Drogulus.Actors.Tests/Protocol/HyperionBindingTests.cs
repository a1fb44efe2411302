using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;

namespace Drogulus.Actors.Tests.Protocol;

public sealed class HyperionBindingTests : TestKit
{
    public HyperionBindingTests()
        : base(BusyMachine.Waits + "akka.loglevel = WARNING")
    {
    }

    [Fact]
    public void Public_messages_should_be_bound_to_Hyperion_when_only_the_extension_brought_reference_conf()
    {
        DrogulusExtension.Get(Sys);

        var serializer = Sys.Serialization.FindSerializerFor(new Joined(1));

        Assert.IsType<HyperionSerializer>(serializer);
    }
}
