using BenchmarkDotNet.Attributes;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Benchmarks;

/// <summary>Encoding, decoding and framing of a <c>store</c> message with a 1 KiB value and a 256-byte signature.</summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private readonly List<ReadOnlyMemory<byte>> _frames = new(1);
    private StoreMessage _store = null!;
    private byte[] _encoded = [];
    private byte[] _framed = [];

    /// <summary>Builds the message once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var sig = new byte[256];
        random.NextBytes(sig);
        var item = new SignedItem(
            Key.Random(random),
            CanonicalMsgPack.Encode(new string('v', 1024)),
            1_700_000_000.5,
            0,
            "drogulus-1.0",
            "-----BEGIN PUBLIC KEY-----\n" + new string('A', 360) + "\n-----END PUBLIC KEY-----",
            "benchmark",
            new Dictionary<string, string> { ["content-type"] = "text/plain" },
            sig);
        _store = new StoreMessage(Guid.Empty.ToString(), Key.Random(random), 1908, ProtocolVersion.Current, item);
        _encoded = MessageCodec.Encode(_store);
        _framed = NetstringFramer.Frame(_encoded);
    }

    /// <summary>Canonical msgpack encoding of the message.</summary>
    [Benchmark]
    public byte[] Encode() => MessageCodec.Encode(_store);

    /// <summary>Decoding (with canonicalization of the value) of the encoded message.</summary>
    [Benchmark]
    public Message? Decode() => MessageCodec.Decode(_encoded).Message;

    /// <summary>Encode followed by decode, one RPC's worth of codec work on each side.</summary>
    [Benchmark(Baseline = true)]
    public Message? EncodeDecode() => MessageCodec.Decode(MessageCodec.Encode(_store)).Message;

    /// <summary>Wrapping the payload in a netstring.</summary>
    [Benchmark]
    public byte[] Frame() => NetstringFramer.Frame(_encoded);

    /// <summary>Reading the payload back out of one netstring delivered in one chunk.</summary>
    [Benchmark]
    public int Deframe()
    {
        _frames.Clear();
        new NetstringFramer(1 << 20).Feed(_framed, _frames);
        return _frames.Count;
    }
}
