using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Lookup;
using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Lookup.LookupTestData;

namespace Drogulus.Core.Tests.Lookup;

/// <summary>PROTOCOL §7 (second edition): blame only where it is due, in the pure lookup state.</summary>
public sealed class FairBlameTests
{
    private static Contact At(int distance, string address, int port) => new(Id(distance), address, port, "1.0", Start);

    [Fact]
    public void OnValue_should_drop_without_blacklisting_when_the_value_only_expired_on_the_way()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindValue, Peers(2, 3), 3, 1, Start);
        lookup.NextRequests(Start);

        var result = lookup.OnValue(Id(2), Item(Target), ItemValidation.Fail(ErrorCode.ExpiredValue), LookupTestData.At(1));

        Assert.True(result.Applied);
        Assert.False(result.BlacklistResponder);
        Assert.Equal(LookupStatus.Running, lookup.Status);
        Assert.Equal([3], Distances(lookup.NextRequests(LookupTestData.At(1))));
    }

    [Theory]
    [InlineData(ErrorCode.UnverifiableProvenance)]
    [InlineData(ErrorCode.KeyMismatch)]
    public void OnValue_should_blacklist_when_the_value_fails_rule_1_or_2(ErrorCode error)
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindValue, Peers(2, 3), 3, 1, Start);
        lookup.NextRequests(Start);

        Assert.True(lookup.OnValue(Id(2), Item(Target), ItemValidation.Fail(error), LookupTestData.At(1)).BlacklistResponder);
    }

    [Fact]
    public void OnValue_should_blacklist_when_an_expired_value_comes_under_another_key()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindValue, Peers(2, 3), 3, 1, Start);
        lookup.NextRequests(Start);

        Assert.True(lookup.OnValue(Id(2), Item(Id(77)), ItemValidation.Fail(ErrorCode.ExpiredValue), LookupTestData.At(1)).BlacklistResponder);
    }

    [Fact]
    public void OnFailure_should_charge_the_contact_only_when_the_address_dialled_was_the_routing_table_one()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(10), 3, 1, Start);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), [At(5, "10.9.9.9", 1)], LookupTestData.At(1));
        Assert.Equal([5], Distances(lookup.NextRequests(LookupTestData.At(1))));

        var learnt = lookup.OnFailure(Id(5), LookupTestData.At(2));

        Assert.True(learnt.Applied);
        Assert.False(learnt.ChargeContact);

        var known = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(10), 3, 1, Start);
        known.NextRequests(Start);
        Assert.True(known.OnFailure(Id(10), LookupTestData.At(1)).ChargeContact);
    }

    [Fact]
    public void OnNodes_should_keep_the_routing_table_address_when_a_reply_names_a_known_id_elsewhere()
    {
        // 30 is known but beyond the first k = 2, so a reply is what brings it into the shortlist.
        var lookup = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(10, 20, 30), 2, 1, Start);
        Assert.Equal([10], Distances(lookup.NextRequests(Start)));
        lookup.OnNodes(Id(10), [At(30, "10.6.6.6", 6666)], LookupTestData.At(1));
        Assert.Equal([20], Distances(lookup.NextRequests(LookupTestData.At(1))));

        lookup.OnFailure(Id(20), LookupTestData.At(2));

        Assert.Equal(Peer(30), Assert.Single(lookup.NextRequests(LookupTestData.At(2))));
    }

    [Fact]
    public void OnNodes_should_ask_a_learnt_id_again_at_another_address_when_it_failed_at_a_wrong_one()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(10, 20), 3, 1, Start);
        lookup.NextRequests(Start);
        lookup.OnNodes(Id(10), [At(5, "10.6.6.6", 6666)], LookupTestData.At(1));
        Assert.Equal(At(5, "10.6.6.6", 6666), Assert.Single(lookup.NextRequests(LookupTestData.At(1))));
        lookup.OnFailure(Id(5), LookupTestData.At(2));
        Assert.Equal([20], Distances(lookup.NextRequests(LookupTestData.At(2))));

        // The liar's address again is not retried; the honest address is.
        lookup.OnNodes(Id(20), [At(5, "10.6.6.6", 6666), At(5, "10.0.0.5", 9005)], LookupTestData.At(3));
        Assert.Equal(At(5, "10.0.0.5", 9005), Assert.Single(lookup.NextRequests(LookupTestData.At(3))));
        lookup.OnNodes(Id(5), [], LookupTestData.At(4));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([5, 10, 20], Distances(lookup.Closest));
    }

    [Fact]
    public void OnNodes_should_never_ask_a_known_id_again_when_it_failed_at_its_routing_table_address()
    {
        var lookup = new LookupState(OwnId, Target, LookupKind.FindNode, Peers(5, 20), 3, 1, Start);
        Assert.Equal([5], Distances(lookup.NextRequests(Start)));
        lookup.OnFailure(Id(5), LookupTestData.At(1));
        Assert.Equal([20], Distances(lookup.NextRequests(LookupTestData.At(1))));

        lookup.OnNodes(Id(20), [At(5, "10.0.0.99", 1234)], LookupTestData.At(2));

        Assert.Equal(LookupStatus.Succeeded, lookup.Status);
        Assert.Equal([20], Distances(lookup.Closest));
    }
}
