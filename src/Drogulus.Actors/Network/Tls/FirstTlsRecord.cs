namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Watches the first bytes of an accepted connection until its peer's first TLS record (the ClientHello) has
/// arrived whole (PROTOCOL §5, admission): the 5-byte record header names the record's length, and only once that
/// many bytes followed does the connection ask for a turn to handshake. A peer that sends part of a hello and
/// stalls holds nothing but its socket. Pure; counts bytes and keeps the header only (the bytes themselves go on
/// to the <see cref="System.Net.Security.SslStream"/> unchanged).
/// </summary>
internal sealed class FirstTlsRecord
{
    /// <summary>The header: content type, legacy version (2 bytes), length (2 bytes).</summary>
    public const int HeaderLength = 5;

    /// <summary>The largest plaintext record TLS allows (RFC 8446 §5.1: 2^14 bytes).</summary>
    public const int MaxRecordLength = 16 * 1024;

    private const byte Handshake = 0x16;

    private readonly byte[] _header = new byte[HeaderLength];
    private int _arrived;

    /// <summary>What the bytes so far say.</summary>
    public enum Status
    {
        /// <summary>More bytes are needed.</summary>
        Incomplete,

        /// <summary>The first record is whole: the handshake may take its turn.</summary>
        Whole,

        /// <summary>The header is not that of a TLS handshake record (or names an impossible length).</summary>
        NotTls,
    }

    /// <summary>The state after <paramref name="bytes"/> more arrived; once <see cref="Status.Whole"/> or <see cref="Status.NotTls"/> it stays so.</summary>
    public Status Feed(ReadOnlySpan<byte> bytes)
    {
        if (_arrived < HeaderLength)
        {
            var headerPart = Math.Min(bytes.Length, HeaderLength - _arrived);
            bytes[..headerPart].CopyTo(_header.AsSpan(_arrived));
        }

        _arrived = (int)Math.Min(int.MaxValue, (long)_arrived + bytes.Length);
        return Current;
    }

    /// <summary>The state after the bytes fed so far.</summary>
    public Status Current
    {
        get
        {
            if (_arrived == 0)
            {
                return Status.Incomplete;
            }

            // The type is known from the first byte, the major version from the second: refuse early what is not TLS.
            if (_header[0] != Handshake || (_arrived > 1 && _header[1] != 3))
            {
                return Status.NotTls;
            }

            if (_arrived < HeaderLength)
            {
                return Status.Incomplete;
            }

            var length = (_header[3] << 8) | _header[4];
            if (length is 0 or > MaxRecordLength)
            {
                return Status.NotTls;
            }

            return _arrived >= HeaderLength + length ? Status.Whole : Status.Incomplete;
        }
    }
}
