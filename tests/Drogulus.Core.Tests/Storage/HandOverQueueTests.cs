using Drogulus.Core.Identity;
using Drogulus.Core.Storage;
using static Drogulus.Core.Tests.Storage.TestItems;

namespace Drogulus.Core.Tests.Storage;

/// <summary>The hand-over throttle (issue 10): paced stores, bounded parallelism, bounded work per newcomer and per second.</summary>
public sealed class HandOverQueueTests
{
    private static readonly Key[] Keys = Enumerable.Range(0, 100).Select(i => Key.Hash([(byte)i])).ToArray();

    private static HandOverQueue<string> Queue(double itemsPerSecond = 10, int parallelism = 4, double newcomersPerSecond = 2, int maxQueued = 8) =>
        new(new HandOverLimits(itemsPerSecond, parallelism, newcomersPerSecond, maxQueued), T0);

    private static List<Key> Drain(HandOverQueue<string> queue, DateTimeOffset now, Func<string, IReadOnlyList<Key>> choose, bool complete, out DateTimeOffset? retryAt)
    {
        var sent = new List<Key>();
        while (queue.Next(now, choose, out retryAt) is { } next)
        {
            sent.Add(next.Key);
            if (complete)
            {
                queue.Completed();
            }
        }

        return sent;
    }

    [Fact]
    public void Next_should_keep_at_most_parallelism_stores_in_flight_when_none_completes()
    {
        var queue = Queue(itemsPerSecond: 1000, parallelism: 4);
        queue.Offer("newcomer");

        var sent = Drain(queue, T0, _ => Keys, complete: false, out var retryAt);

        Assert.Equal(4, sent.Count);
        Assert.Null(retryAt);
        queue.Completed();
        Assert.Single(Drain(queue, T0, _ => Keys, complete: false, out _));
    }

    [Fact]
    public void Next_should_start_a_seconds_worth_of_stores_at_once_and_then_one_per_token()
    {
        var queue = Queue(itemsPerSecond: 10);
        queue.Offer("newcomer");

        var first = Drain(queue, T0, _ => Keys, complete: true, out var retryAt);

        Assert.Equal(Keys.Take(10), first);
        Assert.Equal(T0 + TimeSpan.FromMilliseconds(100), retryAt);
        Assert.Empty(Drain(queue, T0 + TimeSpan.FromMilliseconds(99), _ => Keys, complete: true, out _));
        Assert.Equal([Keys[10]], Drain(queue, T0 + TimeSpan.FromMilliseconds(100), _ => Keys, complete: true, out _));
        Assert.Equal(Keys.Skip(11).Take(10), Drain(queue, T0 + TimeSpan.FromSeconds(5), _ => Keys, complete: true, out _));
    }

    [Fact]
    public void Next_should_choose_a_newcomers_keys_only_when_its_turn_comes()
    {
        var queue = Queue(itemsPerSecond: 1000);
        var chosen = new List<string>();
        IReadOnlyList<Key> Choose(string newcomer)
        {
            chosen.Add(newcomer);
            return Keys.Take(3).ToArray();
        }

        queue.Offer("a");
        queue.Offer("b");
        Assert.Empty(chosen);

        var first = queue.Next(T0, Choose, out _);

        Assert.Equal(("a", Keys[0]), first);
        Assert.Equal(["a"], chosen);
        Assert.Equal(6, 1 + Drain(queue, T0, Choose, complete: true, out _).Count);
        Assert.Equal(["a", "b"], chosen);
        Assert.Equal(6, queue.KeysChosen);
        Assert.Equal(6, queue.KeysSent);
    }

    [Fact]
    public void Offer_should_turn_newcomers_away_when_max_queued_newcomers_wait()
    {
        var queue = Queue(maxQueued: 3);

        var offered = Enumerable.Range(0, 5).Select(i => queue.Offer($"n{i}")).ToArray();

        Assert.Equal([true, true, true, false, false], offered);
        Assert.Equal(3, queue.Waiting);
        Assert.Equal(2, queue.Dropped);
    }

    [Fact]
    public void Next_should_search_at_most_newcomers_per_second_when_a_stranger_shows_many_ids_near_no_item()
    {
        var queue = Queue(newcomersPerSecond: 2, maxQueued: 1000);
        var searches = 0;
        IReadOnlyList<Key> Choose(string newcomer)
        {
            searches++;
            return [];
        }

        for (var i = 0; i < 1000; i++)
        {
            queue.Offer($"sybil {i}");
        }

        var now = T0;
        for (var step = 0; step < 100; step++)
        {
            Assert.Empty(Drain(queue, now, Choose, complete: true, out var retryAt));
            Assert.NotNull(retryAt);
            now = retryAt!.Value;
        }

        // Two at once (a second's worth), then one every half second: 2 + 99 in the 50 s the steps span.
        Assert.Equal(101, searches);
        Assert.Equal(T0 + TimeSpan.FromSeconds(50), now);
    }

    [Fact]
    public void Completed_should_not_go_below_zero_when_outcomes_outlive_their_queue()
    {
        var queue = Queue();

        queue.Completed();

        Assert.Equal(0, queue.InFlight);
    }
}
