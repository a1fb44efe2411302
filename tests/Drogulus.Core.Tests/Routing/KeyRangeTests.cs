using System.Numerics;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;

namespace Drogulus.Core.Tests.Routing;

public sealed class KeyRangeTests
{
    [Fact]
    public void Whole_should_cover_the_key_space_when_table_starts()
    {
        Assert.Equal(BigInteger.Zero, KeyRange.Whole.Min);
        Assert.Equal(Key.SpaceSize, KeyRange.Whole.Max);
        Assert.True(KeyRange.Whole.Contains(Key.Zero));
        Assert.True(KeyRange.Whole.Contains(Key.Max));
    }

    [Fact]
    public void Split_should_cut_at_exact_integer_middle_when_halving()
    {
        var random = new Random(11);
        var range = KeyRange.Whole;
        var key = Key.Random(random);
        for (var depth = 0; depth < Key.Bits; depth++)
        {
            var (lower, upper) = range.Split();
            var middle = (range.Min + range.Max) / 2;
            Assert.Equal(range.Min, lower.Min);
            Assert.Equal(middle, lower.Max);
            Assert.Equal(middle, upper.Min);
            Assert.Equal(range.Max, upper.Max);
            Assert.Equal(lower.Size, upper.Size);
            range = lower.Contains(key) ? lower : upper;
        }

        Assert.Equal(BigInteger.One, range.Size);
        Assert.Equal(key.ToBigInteger(), range.Min);
        Assert.False(range.CanSplit);
        Assert.Throws<InvalidOperationException>(() => range.Split());
    }

    [Fact]
    public void Contains_should_include_min_and_exclude_max()
    {
        var (lower, upper) = KeyRange.Whole.Split();
        var middle = Key.FromBigInteger(BigInteger.One << 511);
        var belowMiddle = Key.FromBigInteger((BigInteger.One << 511) - 1);
        Assert.False(lower.Contains(middle));
        Assert.True(lower.Contains(belowMiddle));
        Assert.True(upper.Contains(middle));
        Assert.False(upper.Contains(belowMiddle));
        Assert.True(upper.Contains(Key.Max));
    }

    [Fact]
    public void RandomKey_should_stay_inside_range_when_drawn_at_every_depth()
    {
        var random = new Random(12);
        for (var depth = 0; depth <= Key.Bits; depth += 7)
        {
            var range = RoutingFixtures.RangeOf(Key.Random(random), depth);
            for (var i = 0; i < 20; i++)
            {
                Assert.True(range.Contains(range.RandomKey(random)));
            }
        }

        var single = RoutingFixtures.RangeOf(Key.Max, Key.Bits);
        Assert.Equal(Key.Max, single.RandomKey(random));
    }

    [Theory]
    [InlineData(1, 10.83)]
    [InlineData(2, 16.27)]
    [InlineData(3, 24.32)]
    [InlineData(4, 37.70)]
    [InlineData(5, 61.10)]
    public void RandomKey_should_be_uniform_when_range_is_small(int bits, double chiSquareLimit)
    {
        // Small ranges at the bottom, the top and inside the key space; chi-square against the uniform law.
        var random = new Random(100 + bits);
        var size = 1 << bits;
        foreach (var anchor in new[] { Key.Zero, Key.Max, Key.Random(random) })
        {
            var range = RoutingFixtures.RangeOf(anchor, Key.Bits - bits);
            Assert.Equal(new BigInteger(size), range.Size);
            var counts = new int[size];
            var draws = size * 1000;
            for (var i = 0; i < draws; i++)
            {
                counts[(int)(range.RandomKey(random).ToBigInteger() - range.Min)]++;
            }

            var expected = draws / (double)size;
            var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);

            // The limit is the 99.9th percentile of chi-square with size - 1 degrees of freedom.
            Assert.True(chiSquare < chiSquareLimit, $"chi-square {chiSquare} for {size} keys");
            Assert.All(counts, c => Assert.True(c > 0));
        }
    }
}
