// README: testkit
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Testing.Tests;

/// <summary>The README's TestKit snippet, compiled and run; Drogulus.Hosting.Tests' ReadmeSnippetTests keeps the README's copy equal to the marked region.</summary>
public sealed class ReadmeSampleTests : TestKit
{
    public ReadmeSampleTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Five_nodes_should_answer_a_get_from_a_holder_and_refuse_a_forged_store_with_error_6()
    {
        // Five nodes on an in-memory network, on virtual time, with seeded ids, joined through node 0.
        var network = TestNetwork.Start(this, 5, DrogulusConfig.SettingsFrom("drogulus { k = 2, alpha = 1 }"), seed: 7);

        using var publisher = PublisherKey.Generate();
        var item = SignedItem.Create(publisher, "greeting", "hello", Sys.Scheduler.Now.ToUnixTimeSeconds(), expires: 0);
        var holders = network.ClosestTo(item.Key, 2);                       // where a put with k = 2 must land
        var writer = network[0];
        var reader = network.Live.First(n => n != writer && !holders.Contains(n));

        Assert.IsType<PutCompleted>(writer.Put(item));
        Assert.All(holders, h => Assert.Single(h.LocalItems().Close));      // each holder keeps it as a close copy

        var found = Assert.IsType<ValueFound>(reader.Get(item.Key));        // a lookup: the reader holds no copy
        Assert.Equal(item, found.Item);
        Assert.Contains(network.NodeOf(found.AnsweredBy!.Value), holders); // which node answered

        // A raw peer speaks the wire protocol: a forged item is refused with error 6 and gets the peer blacklisted.
        using var peer = network.AddRawPeer();
        var refused = Assert.IsType<ErrorMessage>(peer.Store(holders[0], BadItems.Forged(item)));
        Assert.Equal(ErrorCode.UnverifiableProvenance, refused.Code);
        Assert.Equal(ErrorCode.BadRequest, Assert.IsType<ErrorMessage>(peer.Ping(holders[0])).Code);
    }
}
// README: end
