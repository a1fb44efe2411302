using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Testing.Tests;

/// <summary>The README's TestKit snippet, compiled and run: the region between the markers is copied there verbatim.</summary>
public sealed class ReadmeSampleTests : TestKit
{
    public ReadmeSampleTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public void Five_nodes_should_answer_a_get_from_a_holder_and_refuse_a_forged_store_with_error_6()
    {
        #region README: testkit
        // README: testkit (tests/Drogulus.TestKit.Tests/ReadmeSampleTests.cs)
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
        #endregion
    }

    [Fact]
    public void Readme_should_show_the_testkit_region_of_this_file_verbatim()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Drogulus.Actors.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var source = File.ReadAllLines(Path.Combine(root.FullName, "tests", "Drogulus.TestKit.Tests", "ReadmeSampleTests.cs"));
        var start = Array.FindIndex(source, l => l.Trim() == "#region README: testkit");
        var end = Array.FindIndex(source, start + 1, l => l.Trim() == "#endregion");
        var region = source[(start + 1)..end];
        var indent = region.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        var expected = string.Join("\n", region.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));

        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md")).ReplaceLineEndings("\n");
        var marker = readme.IndexOf("```csharp\n// README: testkit", StringComparison.Ordinal);
        Assert.True(marker >= 0, "the README has no block starting with the README: testkit marker");
        var blockStart = marker + "```csharp\n".Length;
        var block = readme[blockStart..readme.IndexOf("\n```", blockStart, StringComparison.Ordinal)];

        Assert.Equal(expected, block);
    }
}
