using Drogulus.Actors.Footprint;

namespace Drogulus.Actors.Tests.Footprint;

/// <summary>
/// <see cref="HeapTrimPolicy"/>: an idle process never trims (after its start-up trim, when start-up counts as a burst); the first quiet check after a burst trims once;
/// trims are at least min-interval apart, however often bursts come.
/// </summary>
public sealed class HeapTrimPolicyTests
{
    private const long Burst = 16 << 20;
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_idle_process_never_trims()
    {
        var policy = new HeapTrimPolicy(Burst, TimeSpan.FromSeconds(60));
        var allocated = 0L;
        for (var i = 0; i < 100; i++)
        {
            allocated += Burst - 1;
            Assert.False(policy.ShouldTrim(Start + (i * Check), allocated));
        }
    }

    [Fact]
    public void Start_up_counts_as_a_burst_when_asked_and_the_first_reading_never_trims()
    {
        var policy = new HeapTrimPolicy(Burst, TimeSpan.FromSeconds(60), startAsBurst: true);
        Assert.False(policy.ShouldTrim(Start, 5 * Burst));                  // the baseline
        Assert.False(policy.ShouldTrim(Start + Check, 7 * Burst));          // start-up still allocating
        Assert.True(policy.ShouldTrim(Start + (2 * Check), 7 * Burst));     // quiet: the start-up trim
        for (var i = 3; i < 100; i++)
        {
            Assert.False(policy.ShouldTrim(Start + (i * Check), 7 * Burst)); // then idle: never again
        }
    }

    [Fact]
    public void Without_start_as_burst_a_quiet_start_never_trims()
    {
        var policy = new HeapTrimPolicy(Burst, TimeSpan.FromSeconds(60));
        Assert.False(policy.ShouldTrim(Start, 5 * Burst));
        Assert.False(policy.ShouldTrim(Start + Check, 5 * Burst));
        Assert.False(policy.ShouldTrim(Start + (2 * Check), 5 * Burst));
    }

    [Fact]
    public void The_first_quiet_check_after_a_burst_trims_once()
    {
        var policy = new HeapTrimPolicy(Burst, TimeSpan.FromSeconds(60));
        Assert.False(policy.ShouldTrim(Start, 0));
        Assert.False(policy.ShouldTrim(Start + Check, Burst));          // the burst
        Assert.False(policy.ShouldTrim(Start + (2 * Check), 3 * Burst)); // still bursting
        Assert.True(policy.ShouldTrim(Start + (3 * Check), 3 * Burst));  // it ended
        Assert.False(policy.ShouldTrim(Start + (4 * Check), 3 * Burst)); // once
        Assert.False(policy.ShouldTrim(Start + (20 * Check), 3 * Burst));
    }

    [Fact]
    public void Trims_are_at_least_min_interval_apart()
    {
        var minInterval = TimeSpan.FromSeconds(60);
        var policy = new HeapTrimPolicy(Burst, minInterval);
        var allocated = 0L;
        var trims = new List<DateTimeOffset>();
        policy.ShouldTrim(Start, allocated);

        // A burst every other check: each quiet check would trim without the bound.
        for (var i = 1; i <= 60; i++)
        {
            allocated += i % 2 == 1 ? Burst : 0;
            var now = Start + (i * Check);
            if (policy.ShouldTrim(now, allocated))
            {
                trims.Add(now);
            }
        }

        Assert.True(trims.Count >= 5, $"trims: {trims.Count}");
        Assert.All(trims.Zip(trims.Skip(1)), pair => Assert.True(pair.Second - pair.First >= minInterval));
    }

    [Fact]
    public void A_burst_while_trimming_was_held_back_is_trimmed_at_the_next_quiet_check_after_the_bound()
    {
        var policy = new HeapTrimPolicy(Burst, TimeSpan.FromSeconds(60));
        policy.ShouldTrim(Start, 0);
        policy.ShouldTrim(Start + Check, Burst);
        Assert.True(policy.ShouldTrim(Start + (2 * Check), Burst));
        policy.ShouldTrim(Start + (3 * Check), 2 * Burst);               // a second burst, 10 s after the trim
        Assert.False(policy.ShouldTrim(Start + (4 * Check), 2 * Burst)); // quiet, but within 60 s of the trim
        Assert.False(policy.ShouldTrim(Start + (7 * Check), 2 * Burst));
        Assert.True(policy.ShouldTrim(Start + (8 * Check), 2 * Burst));  // 60 s after it
    }
}
