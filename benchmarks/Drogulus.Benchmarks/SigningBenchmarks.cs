using BenchmarkDotNet.Attributes;
using Drogulus.Core.Items;

namespace Drogulus.Benchmarks;

/// <summary>Cost of signing a small item and of verifying one (done on every store) with a 2048-bit key.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private static readonly Dictionary<string, string> Meta = new() { ["content-type"] = "text/plain" };

    private PublisherKey _publisher = null!;
    private SignedItem _item = null!;

    /// <summary>Generates the key once; it is the slow part.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _publisher = PublisherKey.Generate(2048);
        _item = SignedItem.Create(_publisher, "greeting", "hello, world", timestamp: 1_700_000_000, expires: 0, Meta);
    }

    /// <summary>Releases the key.</summary>
    [GlobalCleanup]
    public void Cleanup() => _publisher.Dispose();

    /// <summary>Canonicalize, digest, key and sign.</summary>
    [Benchmark]
    public SignedItem Sign() =>
        SignedItem.Create(_publisher, "greeting", "hello, world", timestamp: 1_700_000_000, expires: 0, Meta);

    /// <summary>Full PROTOCOL §3 validation with the public key cache warm.</summary>
    [Benchmark]
    public bool Verify() => _item.Validate(nowUnixSeconds: 1_700_000_001).IsValid;

    /// <summary>The compound digest alone.</summary>
    [Benchmark]
    public byte[] Digest() => _item.ComputeDigest();
}
