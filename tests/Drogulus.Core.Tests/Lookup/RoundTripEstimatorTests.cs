using Drogulus.Core.Lookup;

namespace Drogulus.Core.Tests.Lookup;

public sealed class RoundTripEstimatorTests
{
    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private static RoundTripEstimator Estimator(int samples = 10, double percentile = 90) =>
        new(samples, percentile, floor: Ms(100), ceiling: Ms(2_000));

    private static RoundTripEstimator Filled(RoundTripEstimator estimator)
    {
        foreach (var ms in new[] { 500, 100, 900, 200, 300, 1_000, 400, 600, 800, 700 })
        {
            estimator.Add(Ms(ms));
        }

        return estimator;
    }

    [Fact]
    public void With_no_sample_the_stall_time_should_be_the_ceiling()
    {
        Assert.Equal(Ms(2_000), Estimator().StallTime);
    }

    [Fact]
    public void The_stall_time_should_be_the_nearest_rank_percentile_of_the_window()
    {
        // Ten samples: the 90th percentile is the ninth smallest, the 50th the fifth, the 100th the largest.
        Assert.Equal(Ms(900), Filled(Estimator(percentile: 90)).StallTime);
        Assert.Equal(Ms(500), Filled(Estimator(percentile: 50)).StallTime);
        Assert.Equal(Ms(1_000), Filled(Estimator(percentile: 100)).StallTime);
    }

    [Fact]
    public void The_stall_time_should_stay_between_floor_and_ceiling()
    {
        var fast = Estimator();
        fast.Add(Ms(3));
        var slow = Estimator();
        slow.Add(Ms(30_000));

        Assert.Equal(Ms(100), fast.StallTime);
        Assert.Equal(Ms(2_000), slow.StallTime);
    }

    [Fact]
    public void The_window_should_keep_only_the_most_recent_samples()
    {
        var estimator = Estimator(samples: 3, percentile: 100);
        estimator.Add(Ms(1_500));
        foreach (var ms in new[] { 200, 300, 250 })
        {
            estimator.Add(Ms(ms));
        }

        Assert.Equal(3, estimator.Count);
        Assert.Equal(Ms(300), estimator.StallTime);
    }

    [Fact]
    public void A_negative_round_trip_should_be_ignored()
    {
        var estimator = Estimator();
        estimator.Add(Ms(-5));

        Assert.Equal(0, estimator.Count);
    }
}
