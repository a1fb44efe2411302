using System.Security.Cryptography.X509Certificates;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The node ids of certificates this node has seen, by the certificate's raw bytes (PROTOCOL §2: the id is the hash
/// of the certificate's key), so that the validation callback of a handshake with a known peer costs one lookup
/// instead of decoding the certificate and hashing its key again. Bounded: when full it is emptied and fills again
/// (a peer's next handshake hashes once more), so a stranger showing many certificates gains nothing. Thread safe:
/// SslStream calls the callback on pool threads.
/// </summary>
internal sealed class PeerIdCache
{
    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly Dictionary<byte[], Key> _ids = new(RawBytesComparer.Instance);

    /// <summary>A cache of at most <paramref name="capacity"/> certificates.</summary>
    public PeerIdCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Certificates held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>The node id of <paramref name="certificate"/>.</summary>
    public Key IdOf(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var raw = certificate is X509Certificate2 two ? two.RawData : certificate.GetRawCertData();
        lock (_gate)
        {
            if (_ids.TryGetValue(raw, out var known))
            {
                return known;
            }
        }

        var id = NodeIdentity.IdOf(certificate);
        lock (_gate)
        {
            if (_ids.Count >= _capacity)
            {
                _ids.Clear();
            }

            _ids[raw] = id;
        }

        return id;
    }

    private sealed class RawBytesComparer : IEqualityComparer<byte[]>
    {
        public static readonly RawBytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
