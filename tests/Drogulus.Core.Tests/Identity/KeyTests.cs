using System.Numerics;
using Drogulus.Core.Identity;

namespace Drogulus.Core.Tests.Identity;

public sealed class KeyTests
{
    [Fact]
    public void Key_should_reject_bytes_when_not_exactly_64_long()
    {
        Assert.Throws<ArgumentException>(() => new Key(new byte[63]));
        Assert.Throws<ArgumentException>(() => new Key(new byte[65]));
        Assert.False(Key.TryCreate(new byte[32], out _));
    }

    [Fact]
    public void Key_should_round_trip_hex_and_bytes()
    {
        var random = new Random(1);
        for (var i = 0; i < 100; i++)
        {
            var key = Key.Random(random);
            Assert.Equal(key, Key.Parse(key.ToString()));
            Assert.Equal(key, new Key(key.ToArray()));
            Assert.Equal(key, Key.FromBigInteger(key.ToBigInteger()));
        }
    }

    [Fact]
    public void Key_should_order_as_unsigned_big_endian_integers()
    {
        var random = new Random(2);
        for (var i = 0; i < 500; i++)
        {
            var a = Key.Random(random);
            var b = Key.Random(random);
            Assert.Equal(a.ToBigInteger().CompareTo(b.ToBigInteger()), Math.Sign(a.CompareTo(b)));
        }

        Assert.True(Key.Zero < Key.Max);
        Assert.Equal(Key.SpaceSize - 1, Key.Max.ToBigInteger());
    }

    [Fact]
    public void Distance_should_be_xor_compared_as_unsigned_512_bit_integer()
    {
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var target = Key.Random(random);
            var a = Key.Random(random);
            var b = Key.Random(random);
            var expected = (target.ToBigInteger() ^ a.ToBigInteger()).CompareTo(target.ToBigInteger() ^ b.ToBigInteger());
            Assert.Equal(expected, target.CompareDistance(a, b));
            Assert.Equal(target.ToBigInteger() ^ a.ToBigInteger(), (target ^ a).ToBigInteger());
        }
    }

    [Fact]
    public void Key_should_reject_big_integers_outside_the_key_space()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Key.FromBigInteger(BigInteger.MinusOne));
        Assert.Throws<ArgumentOutOfRangeException>(() => Key.FromBigInteger(Key.SpaceSize));
    }

    [Fact]
    public void TryParse_should_fail_when_text_is_not_128_hex_digits()
    {
        Assert.False(Key.TryParse("abc", out _));
        Assert.False(Key.TryParse(new string('g', 128), out _));
        Assert.False(Key.TryParse(null, out _));
    }

    [Fact]
    public void LeadingZeroBits_should_count_from_the_first_byte()
    {
        Assert.Equal(512, Key.Zero.LeadingZeroBits());
        Assert.Equal(0, Key.Max.LeadingZeroBits());
        Assert.Equal(511, Key.FromBigInteger(BigInteger.One).LeadingZeroBits());
    }
}
