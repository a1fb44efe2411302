using Akka.Actor;
using Akka.TestKit;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Reachability;

/// <summary>
/// An <c>auto</c> node on a memory network, on virtual time, whose only contacts are raw peers in distinct address
/// groups (the memory network gives each port its own /24), so that a spec decides what each of the node's
/// dial-back requests (PROTOCOL §10) gets back, and what its peers say in <c>seen</c>.
/// </summary>
internal sealed class DialbackBench
{
    public static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);
    private readonly TestKitBase _kit;

    public DialbackBench(TestKitBase kit, int contacts, string extraSettings = "")
    {
        _kit = kit;
        Settings = DrogulusConfig.SettingsFrom("drogulus.k = 8\ndrogulus.reachability = auto\n" + extraSettings);
        Node = TestNode.Start(kit, Network, Settings);
        Peers = Enumerable.Range(0, contacts).Select(i => new RawPeer(kit, Network, Key.Random(new Random(100 + i)))).ToList();
        foreach (var peer in Peers)
        {
            peer.Introduce(Node);
        }

        kit.AwaitAssert(() => Xunit.Assert.Equal(contacts, Node.Status().Contacts), Ceiling);
    }

    public MemoryNetwork Network { get; } = new();

    public DrogulusSettings Settings { get; }

    public TestNode Node { get; }

    public IReadOnlyList<RawPeer> Peers { get; }

    /// <summary>A client tests at join and every refresh-interval: moves the clock to the next test and returns its dial-backs.</summary>
    public List<(RawPeer Peer, DialbackMessage Dialback, IActorRef From)> NextTest()
    {
        VirtualTime.Advance(_kit, Settings.RefreshInterval);
        return ExpectTest();
    }

    /// <summary>The dial-back request each peer gets (one per peer: one per address group).</summary>
    public List<(RawPeer Peer, DialbackMessage Dialback, IActorRef From)> ExpectTest() =>
        Peers.Select(p =>
        {
            var (dialback, from) = p.ExpectRequest<DialbackMessage>();
            Xunit.Assert.Equal(Node.Port, dialback.Port);
            return (p, dialback, from);
        }).ToList();

    /// <summary>Each peer dials the node, pings it with the nonce, and answers pong, saying it saw the node at <paramref name="seen"/>.</summary>
    public void Pass(List<(RawPeer Peer, DialbackMessage Dialback, IActorRef From)> test, SeenAddress? seen = null)
    {
        foreach (var (peer, dialback, from) in test)
        {
            Xunit.Assert.IsType<PongMessage>(peer.ExpectReply(peer.SendDialled(Node, Ping(dialback.Nonce))));
            peer.Reply(from, dialback, new PongMessage("", default, 0, "") { Seen = seen });
        }
    }

    /// <summary>Passes <paramref name="test"/> and waits for the node to be a server.</summary>
    public void PassAndAwaitServer(List<(RawPeer Peer, DialbackMessage Dialback, IActorRef From)> test, SeenAddress? seen = null)
    {
        Pass(test, seen);
        _kit.AwaitAssert(() => Xunit.Assert.True(Node.Status().IsServer, Node.Status().LastReachabilityTest), Ceiling);
    }

    public static PingMessage Ping(DialbackNonce nonce) => new("", default, 0, "") { Nonce = nonce };

    /// <summary>
    /// The outcome of the test in progress, the first one recorded. The transport has handled the peer's pong once
    /// it answers a later ping from that peer; the node's wait for a missing ping is a timer that may start a
    /// moment later, so with <paramref name="moveClock"/> the clock moves a second at a time (far below
    /// refresh-interval, so no second test starts). A success needs no timer: without it the clock stays.
    /// </summary>
    public string FirstOutcome(RawPeer peer, bool moveClock = true)
    {
        Xunit.Assert.IsType<PongMessage>(peer.Ping(Node));
        string? outcome = null;
        _kit.AwaitAssert(
            () =>
            {
                outcome = Node.Status().LastReachabilityTest;
                if (outcome is null && moveClock)
                {
                    VirtualTime.Advance(_kit, TimeSpan.FromSeconds(1));
                }

                Xunit.Assert.NotNull(outcome);
            },
            Ceiling);
        return outcome!;
    }
}
