using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.SybilBenchmark;

/// <summary>
/// The attacker's view of its Sybils: their ids (ground to be the closest to the target keys), addresses and
/// ports, and which k of them to name for a key. Filled before the first message; read-only afterwards.
/// </summary>
internal sealed class SybilCluster(int k)
{
    private readonly Dictionary<Key, NodeInfo> _sybils = new();

    public IReadOnlyCollection<NodeInfo> All => _sybils.Values;

    public void Add(Key id, string address, int port) => _sybils[id] = new NodeInfo(id, address, port, ProtocolVersion.Current);

    public bool Contains(Key id) => _sybils.ContainsKey(id);

    public int PortOf(Key id) => _sybils[id].Port;

    /// <summary>The k Sybils closest to <paramref name="key"/>, closest first, the asker's own id left out.</summary>
    public IReadOnlyList<NodeInfo> Closest(Key key, Key self) =>
        _sybils.Values.Where(s => s.Id != self).OrderBy(s => s.Id, Comparer<Key>.Create(key.CompareDistance)).Take(k).ToArray();

    /// <summary>
    /// An id as an attacker grinds it (PROTOCOL §2: any key costs microseconds, so it tries keys until one is
    /// close enough): the target's first <paramref name="prefixBits"/> bits, then random bits. With
    /// prefixBits = log2(N) + 8 the id is closer to the target than every honest node with high probability.
    /// </summary>
    public static Key Ground(Key target, int prefixBits, Random random)
    {
        var bytes = new byte[Key.Length];
        random.NextBytes(bytes);
        var t = target.ToArray();
        for (var bit = 0; bit < prefixBits; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            bytes[bit / 8] = (byte)((bytes[bit / 8] & ~mask) | (t[bit / 8] & mask));
        }

        return new Key(bytes);
    }
}
