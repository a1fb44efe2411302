using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Items;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Integration;

/// <summary>
/// An overwrite over the memory network (PROTOCOL §10 put, §6 store, §9 step 4 caching along the path): every
/// reader first reads the old version with a plain get, so copies of it are cached along the paths; then a newer
/// version is put from another node. The put must reach every one of the k closest, so a plain get that returns
/// the old version got it from a cached copy (a node outside the k closest, or the reader's own cached copy),
/// never from a close holder, and a latest get returns the new version from every reader.
/// </summary>
public sealed class OverwriteTests : TestKit
{
    private const int K = 4;
    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120); // a ceiling: each wait ends with its answer

    public OverwriteTests()
        : base(VirtualTime.Config)
    {
    }

    [Fact]
    public async Task Old_versions_after_an_overwrite_should_come_only_from_cached_copies()
    {
        var network = TestNetwork.Start(this, 30, DrogulusConfig.SettingsFrom($"drogulus {{ k = {K}, alpha = 2 }}"));
        var now = Sys.Scheduler.Now.ToUnixTimeSeconds();
        for (var key = 0; key < 3; key++)
        {
            var v1 = SignedItem.Create(Publisher, $"overwritten-{key}", "v1", now, 0);
            Assert.IsType<PutCompleted>(await network[key].Node.Ask<IPutReply>(new Put(v1), Wait));
            foreach (var reader in network.Nodes)
            {
                Assert.Equal(v1, Assert.IsType<ValueFound>(await reader.Node.Ask<IGetReply>(new Get(v1.Key), Wait)).Item);
            }

            var v2 = SignedItem.Create(Publisher, $"overwritten-{key}", "v2", now + 1, 0);
            var update = Assert.IsType<PutCompleted>(await network[key + 7].Node.Ask<IPutReply>(new Put(v2), Wait));
            var close = network.ClosestTo(v1.Key, K).Select(n => n.Id).ToHashSet();
            Assert.Equal(K, update.StoredCount);

            foreach (var reader in network.Nodes)
            {
                var plain = Assert.IsType<ValueFound>(await reader.Node.Ask<IGetReply>(new Get(v1.Key), Wait));
                if (plain.Item.Equals(v1))
                {
                    // The old version's holder is a cached copy: outside the k closest (the reader's own copy
                    // when it answered locally).
                    var holder = plain.AnsweredBy ?? reader.Id;
                    Assert.DoesNotContain(holder, close);
                }
                else
                {
                    Assert.Equal(v2, plain.Item);
                }

                var latest = Assert.IsType<ValueFound>(await reader.Node.Ask<IGetReply>(new Get(v1.Key, Latest: true), Wait));
                Assert.Equal(v2, latest.Item);
            }
        }
    }
}
