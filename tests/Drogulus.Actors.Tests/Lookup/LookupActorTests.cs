using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Lookup;
using Drogulus.Actors.Network;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Tests.Lookup;

/// <summary>
/// Specs of <see cref="LookupActor"/> against PROTOCOL §7 and §9, with probes as routing table and transport
/// and a <see cref="TestScheduler"/> that only moves when a test advances it. The probes run on the calling
/// thread, so everything an actor sends while handling one message is queued at a probe before its next
/// message is; a test that has seen one effect of an event can therefore check with
/// <see cref="TestKitBase.HasMessages"/> that nothing else came of it, without waiting.
/// </summary>
public sealed class LookupActorTests : TestKit
{
    private const string Config = BusyMachine.Waits + """
        akka.loglevel = WARNING
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """;

    private static readonly PublisherKey Publisher = PublisherKey.Generate();
    // One path (PROTOCOL §9 with d = 1), so that these specs see the single-path order of requests.
    private static readonly DrogulusSettings Settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, alpha = 2, disjoint-paths = 1 }");

    private readonly Random _random = new(20240611);
    private readonly TestProbe _routing;
    private readonly TestProbe _transport;
    private readonly TestProbe _replyTo;
    private readonly Key _ownId;

    public LookupActorTests()
        : base(Config)
    {
        _routing = CreateTestProbe("routing");

        // The contacts a nodes reply names go to the routing table for probing, and so do the measured round
        // trips (for the stall time); specs below check them.
        _routing.IgnoreMessages(m => m is RoutingTableActor.ContactsLearned or RoutingTableActor.RoundTripMeasured);
        _transport = CreateTestProbe("transport");
        _replyTo = CreateTestProbe("reply-to");
        _ownId = Key.Random(_random);
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void LookupActor_should_send_alpha_requests_to_the_alpha_closest_contacts_when_it_starts()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);

        var lookup = Start(LookupKind.FindNode, target, [c[3], c[1], c[0], c[2]]);

        var first = _transport.ExpectMsg<SendRequest>();
        var second = _transport.ExpectMsg<SendRequest>();
        Assert.Equal(PeerAddress.Of(c[0]), first.To);
        Assert.Equal(PeerAddress.Of(c[1]), second.To);
        Assert.False(_transport.HasMessages);
        Assert.Equal(target, Assert.IsType<FindNodeMessage>(first.Body).Target);
        Assert.Equal(target, Assert.IsType<FindNodeMessage>(second.Body).Target);
        Assert.Equal(lookup, first.ReplyTo);
        Assert.Equal(lookup, second.ReplyTo);
    }

    [Fact]
    public void LookupActor_should_send_a_new_request_only_when_one_completes()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);
        Assert.False(_transport.HasMessages);

        AnswerNodes(lookup, c[1]);
        ExpectRequests(c[2]);
        Assert.False(_transport.HasMessages);

        AnswerNodes(lookup, c[0]);
        ExpectRequests(c[3]);
        Assert.False(_transport.HasMessages);

        AnswerNodes(lookup, c[3]);
        AnswerNodes(lookup, c[2]);
        var found = ExpectResult(true);
        Assert.Equal(Ids(c), Ids(found.Closest));
        Assert.False(_transport.HasMessages);
    }

    [Theory]
    [InlineData(RpcFailure.Timeout)]
    [InlineData(RpcFailure.ConnectionFailed)]
    public void LookupActor_should_replace_a_failed_peer_with_the_next_closest_not_yet_contacted(RpcFailure failure)
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);

        Fail(lookup, c[0], failure);
        ExpectRequests(c[2]);
        Assert.False(_transport.HasMessages);

        Fail(lookup, c[1], failure);
        ExpectRequests(c[3]);
        Assert.False(_transport.HasMessages);

        AnswerNodes(lookup, c[2]);
        AnswerNodes(lookup, c[3]);
        var found = ExpectResult(true);
        Assert.Equal(Ids(c[2], c[3]), Ids(found.Closest));
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_ask_the_next_closest_without_blacklisting_when_a_peer_answers_with_an_error()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[0], new ErrorMessage("u", c[0].Id, c[0].Port, "1.0", ErrorCode.InternalError, "Internal error", new Dictionary<string, string>()));
        ExpectRequests(c[2]);
        Assert.False(_transport.HasMessages);

        AnswerNodes(lookup, c[1]);
        ExpectRequests(c[3]);
        AnswerNodes(lookup, c[2]);
        AnswerNodes(lookup, c[3]);
        var found = ExpectResult(true);
        Assert.Equal(Ids(c[1], c[2], c[3]), Ids(found.Closest));
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_not_count_busy_against_the_contact_nor_ask_it_again_when_a_peer_answers_error_10()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[0], new ErrorMessage("u", c[0].Id, c[0].Port, "1.0", ErrorCode.Busy, "Busy", new Dictionary<string, string>()));
        ExpectRequests(c[2]);

        // Another peer names the busy one: it is not retried within this lookup (PROTOCOL §5, rate).
        AnswerNodes(lookup, c[1], c[0]);
        ExpectRequests(c[3]);
        AnswerNodes(lookup, c[2], c[0]);
        AnswerNodes(lookup, c[3]);
        var found = ExpectResult(true);
        Assert.Equal(Ids(c[1], c[2], c[3]), Ids(found.Closest));
        Assert.False(_transport.HasMessages);

        // Nothing was charged to the contact or blacklisted: the routing table heard nothing.
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_end_with_the_k_closest_that_answered_closest_first_when_the_lookup_completes()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 8);
        var lookup = Start(LookupKind.FindNode, target, [c[7], c[5], c[6], c[4]]);
        ExpectRequests(c[4], c[5]);

        // c4 names four closer nodes; of those c1 fails, so the k closest that answered are c0, c2, c3, c4.
        AnswerNodes(lookup, c[4], c[3], c[1], c[0], c[2]);
        ExpectRequests(c[0]);
        AnswerNodes(lookup, c[5]);
        ExpectRequests(c[1]);
        AnswerNodes(lookup, c[0]);
        ExpectRequests(c[2]);
        Fail(lookup, c[1], RpcFailure.ConnectionFailed);
        ExpectRequests(c[3]);
        AnswerNodes(lookup, c[3]);
        AnswerNodes(lookup, c[2]);

        var found = ExpectResult(true);
        Assert.Equal(target, found.Target);
        Assert.Equal(Ids(c[0], c[2], c[3], c[4]), Ids(found.Closest));
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_never_contact_itself_or_a_failed_peer_when_peers_name_them()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 7);
        var own = c[0];
        var lookup = Start(
            LookupKind.FindNode, target, [c[3], c[4], c[5], c[6]], ownId: own.Id);
        ExpectRequests(c[3], c[4]);

        Fail(lookup, c[3], RpcFailure.Timeout);
        ExpectRequests(c[5]);

        // The node itself is the closest of all and c3 failed; both keep being named.
        AnswerNodes(lookup, c[4], own, c[3], c[1], c[2]);
        ExpectRequests(c[1]);
        AnswerNodes(lookup, c[5], own, c[3]);
        ExpectRequests(c[2]);
        AnswerNodes(lookup, c[1], own, c[3]);
        AnswerNodes(lookup, c[2], own, c[3]);

        var found = ExpectResult(true);
        Assert.Equal(Ids(c[1], c[2], c[4], c[5]), Ids(found.Closest));
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_fail_right_after_the_last_failure_when_every_peer_fails_in_a_findnode()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 3);
        var lookup = Start(LookupKind.FindNode, target, c);
        Watch(lookup);
        ExpectRequests(c[0], c[1]);

        Fail(lookup, c[0], RpcFailure.ConnectionFailed);
        ExpectRequests(c[2]);
        Assert.False(_replyTo.HasMessages);
        Fail(lookup, c[1], RpcFailure.Timeout);
        Fail(lookup, c[2], RpcFailure.ConnectionFailed);

        // The scheduler never moved: the answer cannot have come from lookup-timeout.
        var failed = ExpectResult(false);
        Assert.Equal(target, failed.Target);
        Assert.Equal("no peer answered", failed.FailureReason);
        ExpectTerminated(lookup);
    }

    [Fact]
    public void LookupActor_should_fail_right_after_the_last_failure_when_every_peer_fails_in_a_get()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 3);
        var lookup = Start(LookupKind.FindValue, target, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[0], new ErrorMessage("u", c[0].Id, c[0].Port, "1.0", ErrorCode.InternalError, "Internal error", new Dictionary<string, string>()));
        ExpectRequests(c[2]);
        Assert.False(_replyTo.HasMessages);
        Fail(lookup, c[2], RpcFailure.Timeout);
        Fail(lookup, c[1], RpcFailure.ConnectionFailed);

        var failed = ExpectResult(false);
        Assert.Equal(target, failed.Target);
        Assert.Equal("no peer answered", failed.FailureReason);
    }

    [Fact]
    public void LookupActor_should_fail_at_once_with_routing_table_empty_when_no_contact_is_known()
    {
        var target = Key.Random(_random);
        var lookup = Start(LookupKind.FindNode, target, []);
        Watch(lookup);

        var failed = ExpectResult(false);
        Assert.Equal("routing table empty", failed.FailureReason);
        ExpectTerminated(lookup);
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_fail_a_get_at_once_with_routing_table_empty_when_no_contact_is_known()
    {
        var target = Key.Random(_random);
        Start(LookupKind.FindValue, target, []);

        Assert.Equal("routing table empty", ExpectResult(false).FailureReason);
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_fail_with_a_timeout_when_lookup_timeout_passes_and_not_before()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 3);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);

        Scheduler.Advance(Settings.LookupTimeout - TimeSpan.FromMilliseconds(1));

        // Had the timer fired, the lookup would have finished before handling this failure.
        Fail(lookup, c[0], RpcFailure.ConnectionFailed);
        ExpectRequests(c[2]);
        Assert.False(_replyTo.HasMessages);

        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var failed = ExpectResult(false);
        Assert.Equal("lookup timed out", failed.FailureReason);
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_fail_with_a_timeout_when_the_routing_table_never_answers()
    {
        var target = Key.Random(_random);
        var request = new LookupActor.Request(LookupKind.FindValue, target, []);
        var lookup = _replyTo.ChildActorOf(LookupActor.Props(request, _ownId, Settings, _routing.Ref, _transport.Ref));
        Watch(lookup);
        _routing.ExpectMsg<RoutingTableActor.GetClosest>();

        Scheduler.Advance(Settings.LookupTimeout);

        Assert.Equal("lookup timed out", ExpectResult(false).FailureReason);
        ExpectTerminated(lookup);
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_stop_at_the_first_valid_value_and_cache_it_at_the_closest_peer_that_answered_with_nodes()
    {
        var item = ValidItem();
        var c = Contacts(item.Key, 4);
        var lookup = Start(LookupKind.FindValue, item.Key, c);
        Watch(lookup);
        var first = _transport.ExpectMsg<SendRequest>();
        Assert.Equal(item.Key, Assert.IsType<FindValueMessage>(first.Body).Key);
        Assert.Equal(PeerAddress.Of(c[0]), first.To);
        ExpectRequests(c[1]);

        AnswerNodes(lookup, c[1]);
        ExpectRequests(c[2]);
        AnswerNodes(lookup, c[2]);
        ExpectRequests(c[3]);
        Reply(lookup, c[3], new ValueMessage("u", c[3].Id, c[3].Port, "1.0", item));

        var found = ExpectResult(true);
        Assert.Equal(item, found.Item);
        var store = _transport.ExpectMsg<SendRequest>();
        Assert.Equal(PeerAddress.Of(c[1]), store.To);
        Assert.Equal(item, Assert.IsType<StoreMessage>(store.Body).Item);
        ExpectTerminated(lookup);

        // c0 is still in flight; its answer reaches a stopped lookup and changes nothing.
        Reply(lookup, c[0], new ValueMessage("u", c[0].Id, c[0].Port, "1.0", item));
        AnswerNodes(lookup, c[0]);
        Assert.False(_replyTo.HasMessages);
        Assert.False(_transport.HasMessages);
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_not_cache_the_value_when_no_peer_answered_with_nodes()
    {
        var item = ValidItem();
        var c = Contacts(item.Key, 2);
        var lookup = Start(LookupKind.FindValue, item.Key, c);
        Watch(lookup);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[1], new ValueMessage("u", c[1].Id, c[1].Port, "1.0", item));

        var found = ExpectResult(true);
        Assert.Equal(new LookupStats(RpcsSent: 2, RpcsAnswered: 1, Rounds: 1, Duration: TimeSpan.Zero), found.Stats);
        ExpectTerminated(lookup);
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_ask_the_extra_contacts_when_the_routing_table_is_empty()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 2);
        var request = new LookupActor.Request(LookupKind.FindNode, target, [c[1]]);
        var lookup = _replyTo.ChildActorOf(LookupActor.Props(request, _ownId, Settings, _routing.Ref, _transport.Ref));
        _routing.ExpectMsg<RoutingTableActor.GetClosest>();
        _routing.Reply(new RoutingTableActor.ClosestContacts(target, []));
        ExpectRequests(c[1]);

        AnswerNodes(lookup, c[1], c[0]);
        ExpectRequests(c[0]);
        AnswerNodes(lookup, c[0]);

        Assert.Equal(Ids(c), Ids(ExpectResult(true).Closest));
    }

    [Fact]
    public void LookupActor_should_blacklist_the_responder_and_go_on_when_a_findvalue_gets_a_value_under_another_key()
    {
        var item = ValidItem();
        var other = SignedItem.Create(Publisher, "another name", "value", item.Timestamp, 0);
        var c = Contacts(item.Key, 3);
        var lookup = Start(LookupKind.FindValue, item.Key, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[0], new ValueMessage("u", c[0].Id, c[0].Port, "1.0", other));
        Assert.Equal(c[0].Id, _routing.ExpectMsg<RoutingTableActor.BlacklistPeer>().Id);
        ExpectRequests(c[2]);

        AnswerNodes(lookup, c[1]);
        AnswerNodes(lookup, c[2]);
        var notFound = ExpectResult(false);
        Assert.Equal(item.Key, notFound.Target);
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_blacklist_the_responder_and_go_on_when_a_findvalue_gets_an_invalid_signature()
    {
        var item = ValidItem();
        var forged = new SignedItem(
            item.Key, item.Value.Span, item.Timestamp + 1, item.Expires, item.CreatedWith, item.PublicKey, item.Name, item.Meta, item.Signature.Span);
        var c = Contacts(item.Key, 3);
        var lookup = Start(LookupKind.FindValue, item.Key, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[0], new ValueMessage("u", c[0].Id, c[0].Port, "1.0", forged));
        Assert.Equal(c[0].Id, _routing.ExpectMsg<RoutingTableActor.BlacklistPeer>().Id);
        ExpectRequests(c[2]);

        AnswerNodes(lookup, c[1]);
        Reply(lookup, c[2], new ValueMessage("u", c[2].Id, c[2].Port, "1.0", item));
        Assert.Equal(item, ExpectResult(true).Item);
        Assert.Equal(PeerAddress.Of(c[1]), _transport.ExpectMsg<SendRequest>().To);
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_fail_that_rpc_without_returning_caching_or_blacklisting_when_a_value_is_above_max_item_size()
    {
        var item = ValidItem(new string('x', Settings.MaxItemSize + 1));
        var c = Contacts(item.Key, 3);
        var lookup = Start(LookupKind.FindValue, item.Key, c);
        ExpectRequests(c[0], c[1]);

        AnswerNodes(lookup, c[1]);
        ExpectRequests(c[2]);
        Reply(lookup, c[0], new ValueMessage("u", c[0].Id, c[0].Port, "1.0", item));
        AnswerNodes(lookup, c[2]);

        // PROTOCOL §7: a plain failure of that RPC; never returned, never cached at c1, the responder not blacklisted.
        var result = ExpectResult(false);
        Assert.Null(result.Item);
        Assert.False(_transport.HasMessages);
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_blacklist_the_responder_when_a_findnode_gets_a_value()
    {
        var item = ValidItem();
        var c = Contacts(item.Key, 3);
        var lookup = Start(LookupKind.FindNode, item.Key, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[1], new ValueMessage("u", c[1].Id, c[1].Port, "1.0", item));
        Assert.Equal(c[1].Id, _routing.ExpectMsg<RoutingTableActor.BlacklistPeer>().Id);
        ExpectRequests(c[2]);

        AnswerNodes(lookup, c[0]);
        AnswerNodes(lookup, c[2]);
        Assert.Equal(Ids(c[0], c[2]), Ids(ExpectResult(true).Closest));
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_blacklist_the_responder_when_a_findnode_gets_a_pong()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 3);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);

        Reply(lookup, c[0], new PongMessage("u", c[0].Id, c[0].Port, "1.0"));
        Assert.Equal(c[0].Id, _routing.ExpectMsg<RoutingTableActor.BlacklistPeer>().Id);
        ExpectRequests(c[2]);

        AnswerNodes(lookup, c[1]);
        AnswerNodes(lookup, c[2]);
        Assert.Equal(Ids(c[1], c[2]), Ids(ExpectResult(true).Closest));
        Assert.False(_routing.HasMessages);
    }

    [Fact]
    public void LookupActor_should_count_rpcs_sent_and_answered_in_the_stats_of_nodes_found()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 5);
        var lookup = Start(LookupKind.FindNode, target, [c[1], c[2], c[3], c[4]]);
        ExpectRequests(c[1], c[2]);

        AnswerNodes(lookup, c[1], c[0]);
        ExpectRequests(c[0]);
        Scheduler.Advance(TimeSpan.FromMilliseconds(250));
        Fail(lookup, c[2], RpcFailure.Timeout);
        ExpectRequests(c[3]);
        AnswerNodes(lookup, c[0]);
        ExpectRequests(c[4]);
        Reply(lookup, c[3], new ErrorMessage("u", c[3].Id, c[3].Port, "1.0", ErrorCode.InternalError, "Internal error", new Dictionary<string, string>()));
        AnswerNodes(lookup, c[4]);

        var found = ExpectResult(true);
        Assert.Equal(Ids(c[0], c[1], c[4]), Ids(found.Closest));
        Assert.Equal(new LookupStats(RpcsSent: 5, RpcsAnswered: 3, Rounds: 2, Duration: TimeSpan.FromMilliseconds(250)), found.Stats);
    }

    [Fact]
    public void LookupActor_should_answer_its_parent_with_one_result_holding_the_closest_when_it_succeeds()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 2);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);

        AnswerNodes(lookup, c[1]);
        AnswerNodes(lookup, c[0]);

        var finished = ExpectResult(true);
        Assert.True(finished.Succeeded);
        Assert.Null(finished.FailureReason);
        Assert.Equal(Ids(c), Ids(finished.Closest));
        Assert.Equal(2, finished.Stats.RpcsAnswered);
    }

    [Fact]
    public void LookupActor_should_drop_every_contact_of_a_group_named_more_than_max_per_group_in_reply_times()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 8).Select((contact, i) => contact with { Address = i < 4 ? "203.0.113." + (i + 1) : $"198.51.{i}.1" }).ToArray();
        var lookup = Start(LookupKind.FindNode, target, [c[6], c[7]]);
        ExpectRequests(c[6], c[7]);

        // Four of 203.0.113.0/24 (over max-per-group-in-reply = 3): none of them is asked; c[4], named by c[7], is (the
        // others each in a /24 of its own, so that the lookup's group cap on its k closest, PROTOCOL §9 step 6, keeps them all).
        AnswerNodes(lookup, c[6], c[0], c[1], c[2], c[3]);
        AnswerNodes(lookup, c[7], c[4]);
        ExpectRequests(c[4]);
        Assert.False(_transport.HasMessages);
        AnswerNodes(lookup, c[4]);
        Assert.Equal(Ids(c[4], c[6], c[7]), Ids(ExpectResult(true).Closest));
    }

    [Fact]
    public void LookupActor_should_run_disjoint_paths_when_disjoint_paths_is_above_1()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 4, alpha = 2, disjoint-paths = 2 }");
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        var lookup = _replyTo.ChildActorOf(LookupActor.Props(new LookupActor.Request(LookupKind.FindNode, target, []), _ownId, settings, _routing.Ref, _transport.Ref));
        _routing.ExpectMsg<RoutingTableActor.GetClosest>();
        _routing.Reply(new RoutingTableActor.ClosestContacts(target, [c[2], c[3]]));
        ExpectRequests(c[2], c[3]);

        // c[0] is named to both paths: only the path that heard of it first asks it; the other asks c[1].
        AnswerNodes(lookup, c[2], c[0]);
        ExpectRequests(c[0]);
        AnswerNodes(lookup, c[3], c[0], c[1]);
        ExpectRequests(c[1]);
        Assert.False(_transport.HasMessages);
        AnswerNodes(lookup, c[0]);
        AnswerNodes(lookup, c[1]);
        Assert.Equal(Ids(c), Ids(ExpectResult(true).Closest));
    }

    [Fact]
    public void LookupActor_should_ask_the_next_contacts_when_its_requests_stall_and_still_take_the_late_answers()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        var lookup = Start(LookupKind.FindNode, target, c, stallAfter: TimeSpan.FromMilliseconds(300));
        ExpectRequests(c[0], c[1]);

        Scheduler.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(_transport.HasMessages);

        // Both requests reach the stall time: they no longer hold the two alpha slots.
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        ExpectRequests(c[2], c[3]);

        AnswerNodes(lookup, c[2]);
        AnswerNodes(lookup, c[3]);
        AnswerNodes(lookup, c[1]);
        Assert.False(_replyTo.HasMessages);

        // The last late answer completes the lookup (rule 6 waits for stalled requests) and counts.
        AnswerNodes(lookup, c[0]);
        var found = ExpectResult(true);
        Assert.Equal(Ids(c), Ids(found.Closest));
        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_hold_the_alpha_slots_of_slow_requests_when_the_routing_table_gives_no_stall_time()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 4);
        Start(LookupKind.FindNode, target, c, stallAfter: null);
        ExpectRequests(c[0], c[1]);

        Scheduler.Advance(TimeSpan.FromSeconds(4));

        Assert.False(_transport.HasMessages);
    }

    [Fact]
    public void LookupActor_should_tell_the_routing_table_the_round_trip_of_each_answer()
    {
        var target = Key.Random(_random);
        var c = Contacts(target, 2);
        var lookup = Start(LookupKind.FindNode, target, c);
        ExpectRequests(c[0], c[1]);
        _routing.IgnoreMessages<RoutingTableActor.ContactsLearned>();

        Scheduler.Advance(TimeSpan.FromMilliseconds(120));
        AnswerNodes(lookup, c[1]);

        Assert.Equal(TimeSpan.FromMilliseconds(120), _routing.ExpectMsg<RoutingTableActor.RoundTripMeasured>().RoundTrip);
    }

    // The lookup answers only its parent (the reply-to probe here), always with one Result.
    private LookupActor.Result ExpectResult(bool succeeded)
    {
        var result = _replyTo.ExpectMsg<LookupActor.Result>();
        Assert.Equal(succeeded, result.Succeeded);
        return result;
    }

    // Timestamped by the node's clock: an item older than max-item-age fails rule 3 (PROTOCOL §3).
    private SignedItem ValidItem(string value = "value") => SignedItem.Create(Publisher, "name", value, SignedItem.UnixSeconds(Sys.Scheduler.Now), 0);

    private static Key[] Ids(params IEnumerable<Contact> contacts) => contacts.Select(c => c.Id).ToArray();

    private static PeerInfo Info(Contact contact) => new(contact.Id, contact.Address, contact.Port, contact.Version);

    /// <summary><paramref name="count"/> contacts with seeded random ids, closest to <paramref name="target"/> first, on ports 1..count, each in an address group of its own.</summary>
    private Contact[] Contacts(Key target, int count) =>
        Enumerable.Range(0, count)
            .Select(_ => Key.Random(_random))
            .Order(Comparer<Key>.Create(target.CompareDistance))
            .Select((id, i) => new Contact(id, $"100.64.{i}.1", i + 1, "1.0", Sys.Scheduler.Now))
            .ToArray();

    /// <summary>Starts a lookup and answers its routing-table query with <paramref name="known"/>.</summary>
    private IActorRef Start(LookupKind kind, Key target, IReadOnlyList<Contact> known, Key? ownId = null, TimeSpan? stallAfter = null)
    {
        var request = new LookupActor.Request(kind, target, []);
        var lookup = _replyTo.ChildActorOf(LookupActor.Props(request, ownId ?? _ownId, Settings, _routing.Ref, _transport.Ref));
        var query = _routing.ExpectMsg<RoutingTableActor.GetClosest>();
        Assert.Equal(target, query.Target);
        Assert.Equal(Settings.K, query.Count);
        _routing.Reply(new RoutingTableActor.ClosestContacts(target, known) { StallAfter = stallAfter });
        return lookup;
    }

    /// <summary>Expects one request to each of <paramref name="peers"/>, in that order.</summary>
    private void ExpectRequests(params Contact[] peers)
    {
        foreach (var peer in peers)
        {
            Assert.Equal(PeerAddress.Of(peer), _transport.ExpectMsg<SendRequest>().To);
        }
    }

    private void AnswerNodes(IActorRef lookup, Contact from, params Contact[] nodes) =>
        Reply(lookup, from, new NodesMessage("u", from.Id, from.Port, "1.0", nodes.Select(NodeInfo.From).ToArray()));

    private void Reply(IActorRef lookup, Contact from, Message reply) =>
        lookup.Tell(new RpcReplied(PeerAddress.Of(from), Info(from), reply), _transport.Ref);

    private void Fail(IActorRef lookup, Contact peer, RpcFailure failure) =>
        lookup.Tell(new RpcFailed(PeerAddress.Of(peer), failure, "test"), _transport.Ref);
}
