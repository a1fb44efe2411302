using Drogulus.Core.Wire;
using static Drogulus.Core.Tests.Wire.WireSamples;

namespace Drogulus.Core.Tests.Wire;

/// <summary>Seeded property and fuzz tests: any chunking frames the same; no input makes the codec throw.</summary>
public sealed class WirePropertyTests
{
    [Fact]
    public void Framer_should_give_the_same_frames_when_a_stream_is_chunked_in_any_way()
    {
        var random = new Random(20240601);
        var payloads = AllTypes().Select(MessageCodec.Encode).Append([]).Append(new byte[5000]).ToList();
        var stream = payloads.SelectMany(p => NetstringFramer.Frame(p)).ToArray();

        for (var run = 0; run < 300; run++)
        {
            var framer = new NetstringFramer(1 << 16);
            var frames = new List<ReadOnlyMemory<byte>>();
            foreach (var chunk in RandomChunks(random, stream))
            {
                Assert.True(framer.Feed(chunk, frames).IsOk);
            }

            Assert.False(framer.HasPartialFrame);
            Assert.Equal(payloads.Count, frames.Count);
            for (var i = 0; i < payloads.Count; i++)
            {
                Assert.True(payloads[i].AsSpan().SequenceEqual(frames[i].Span), $"run {run}, frame {i}");
            }
        }
    }

    [Fact]
    public void Decoder_should_never_throw_when_given_random_or_mutated_bytes()
    {
        var random = new Random(7);
        var seeds = AllTypes().Select(MessageCodec.Encode).ToList();
        var decoded = 0;
        var failed = 0;

        for (var i = 0; i < 12_000; i++)
        {
            var input = i % 6 == 0 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Count)]);

            var result = MessageCodec.Decode(input);

            if (result.IsSuccess)
            {
                decoded++;
                // Whatever decodes must survive a round trip unchanged.
                Assert.Equal(result.Message, MessageCodec.Decode(MessageCodec.Encode(result.Message)).Message);
            }
            else
            {
                failed++;
                Assert.Contains(result.Failure.Code, new[] { ErrorCode.BadRequest, ErrorCode.UnknownRequest, ErrorCode.UnsupportedProtocol });
                Assert.NotEmpty(result.Failure.Details);
            }
        }

        Assert.True(decoded > 100 && failed > 100, $"decoded {decoded}, failed {failed}");
    }

    [Fact]
    public void Framer_should_never_throw_and_never_exceed_the_limit_when_given_random_or_mutated_streams()
    {
        var random = new Random(11);
        var valid = AllTypes().Select(m => NetstringFramer.Frame(MessageCodec.Encode(m))).SelectMany(f => f).ToArray();
        const int max = 600;

        for (var i = 0; i < 3000; i++)
        {
            var input = i % 4 == 0 ? RandomBytes(random) : Mutate(random, valid);
            var framer = new NetstringFramer(max);
            var frames = new List<ReadOnlyMemory<byte>>();
            FrameResult? firstError = null;
            foreach (var chunk in RandomChunks(random, input))
            {
                var result = framer.Feed(chunk, frames);
                if (!result.IsOk)
                {
                    firstError ??= result;
                    Assert.Equal(firstError, result);
                    Assert.True(framer.IsFailed);
                }
            }

            Assert.All(frames, f => Assert.InRange(f.Length, 0, max));
            Assert.Equal(firstError is not null, framer.IsFailed);
        }
    }

    private static IEnumerable<byte[]> RandomChunks(Random random, byte[] stream)
    {
        var position = 0;
        while (position < stream.Length)
        {
            var size = random.Next(4) == 0 ? random.Next(1, 400) : random.Next(1, 8);
            size = Math.Min(size, stream.Length - position);
            yield return stream[position..(position + size)];
            position += size;
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(2) == 0)
        {
            bytes[0] = (byte)(0x80 | random.Next(16)); // a fixmap header, so the decoder gets past the first byte
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = original.ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }

        return [.. bytes];
    }
}
