namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The uuids one connection gives its requests (PROTOCOL §4: UUID text chosen by the requester; a reply echoes it and
/// is matched on the connection that carried the request): a random UUID drawn once per connection, with a counter
/// mixed into its last six bytes. Unique on the connection, as random as a UUID across connections, and without a
/// call for system randomness per request (issue 13: <see cref="Guid.NewGuid"/> was a system call per RPC).
/// </summary>
internal sealed class RequestUuids
{
    private readonly byte[] _base = Guid.NewGuid().ToByteArray();
    private long _count;

    /// <summary>The next uuid, never one given before by this instance (2^48 of them).</summary>
    public string Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        _base.CopyTo(bytes);
        var n = ++_count;

        // Bytes 10..15 are the UUID's node field: the version and variant bits stay as drawn.
        for (var i = 15; i >= 10; i--)
        {
            bytes[i] ^= (byte)n;
            n >>= 8;
        }

        return new Guid(bytes).ToString();
    }
}
