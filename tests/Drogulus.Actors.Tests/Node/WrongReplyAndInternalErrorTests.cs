using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Testing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Storage;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Node;

/// <summary>PROTOCOL §7 (a reply of the wrong type blacklists the responder) and §12 error 3 (internal errors are answered, not fatal).</summary>
public sealed class WrongReplyAndInternalErrorTests : TestKit
{
    private static readonly PublisherKey Publisher = PublisherKey.Generate();

    private readonly DrogulusSettings _settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, refresh-interval = 5h, replicate-interval = 5h }");
    private readonly MemoryNetwork _network = new();

    public WrongReplyAndInternalErrorTests()
        : base(BusyMachine.Waits + "akka.loglevel = OFF")
    {
    }

    private SignedItem Item(string name) => SignedItem.Create(Publisher, name, "v", Sys.Scheduler.Now.ToUnixTimeSeconds(), 0);

    [Fact]
    public void Put_should_blacklist_a_peer_when_it_answers_a_store_with_another_message_type()
    {
        var node = TestNode.Start(this, _network, _settings);
        var peer = new RawPeer(this, _network, Key.Random(new Random(101)));
        peer.Introduce(node.Transport);
        var item = Item("wrong-reply");

        node.Node.Tell(new Put(item), TestActor);
        var (find, findFrom) = peer.ExpectRequest<FindNodeMessage>();
        peer.Reply(findFrom, find, new NodesMessage("", default, 0, "", []));
        var (store, storeFrom) = peer.ExpectRequest<StoreMessage>();
        peer.Reply(storeFrom, store, new NodesMessage("", default, 0, "", []));
        ExpectMsg<PutCompleted>();

        var refused = peer.ExpectReply<ErrorMessage>(peer.Send(node.Transport, new PingMessage("", default, 0, "")));
        Assert.Equal(ErrorCode.BadRequest, refused.Code);
        Assert.Equal("You have been blacklisted.", refused.Details["message"]);
    }

    [Fact]
    public void Node_should_answer_error_3_and_go_on_serving_when_its_store_fails()
    {
        var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        var node = Sys.ActorOf(NodeActor.Props(_settings, identity, _network, new FailingStore(), seed: 1), "failing-node");
        var status = TestNode.StatusOf(this, node);
        var port = int.Parse(status.Endpoint[(status.Endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(_network.TryResolve(MemoryNetwork.Host, port, out _, out var transport));
        var peer = new RawPeer(this, _network, Key.Random(new Random(102)));

        var error = peer.ExpectReply<ErrorMessage>(peer.Send(transport, new StoreMessage("", default, 0, "", Item("disk-full"))));

        Assert.Equal(ErrorCode.InternalError, error.Code);
        peer.ExpectReply<PongMessage>(peer.Send(transport, new PingMessage("", default, 0, "")));
        Assert.Equal(identity.Id, TestNode.StatusOf(this, node).NodeId);
    }

    /// <summary>A store whose writes fail, like a full disk.</summary>
    private sealed class FailingStore : IItemStore
    {
        private readonly InMemoryItemStore _inner = new();

        public StoredItem? Get(Key key) => _inner.Get(key);

        public void Upsert(StoredItem item) => throw new IOException("disk full");

        public bool Remove(Key key) => _inner.Remove(key);

        public int Count() => _inner.Count();

        public IEnumerable<StoredItem> All() => _inner.All();

        public bool Touch(Key key, DateTimeOffset accessedAt) => _inner.Touch(key, accessedAt);
    }
}
