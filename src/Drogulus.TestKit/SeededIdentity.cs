using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drogulus.Actors.Network;

namespace Drogulus.Testing;

/// <summary>
/// Node identities derived from a seed, so that a test gets the same node ids on every run (and so the same
/// buckets, closest nodes and lookup paths). The ECDSA P-256 private key is SHA-256 of a fixed label and the
/// seed; the node id is, as always, SHA-512 of the certificate's public key (PROTOCOL §2). For tests only:
/// anyone who knows the seed has the private key.
/// </summary>
public static class SeededIdentity
{
    private const string Passphrase = "drogulus-testkit";

    // Certificates are dated from a fixed instant: the id depends only on the key, and a fixed validity keeps
    // an identity byte-identical whatever the (virtual) clock says.
    private static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The identity of <paramref name="seed"/>: the same key and node id on every call and every run.</summary>
    public static NodeIdentity Create(int seed)
    {
        Span<byte> input = stackalloc byte[24];
        "drogulus-node-key"u8.CopyTo(input);
        BinaryPrimitives.WriteInt32BigEndian(input[16..], seed);
        for (var attempt = 0; ; attempt++)
        {
            BinaryPrimitives.WriteInt32BigEndian(input[20..], attempt);
            var d = SHA256.HashData(input);
            ECDsa key;
            try
            {
                // The public point is computed from D; a hash at or beyond the curve order (odds about 2^-32) is refused, so try the next.
                key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
            }
            catch (CryptographicException)
            {
                continue;
            }

            using (key)
            {
                var request = new CertificateRequest("CN=drogulus-node", key, HashAlgorithmName.SHA256);
                using var certificate = request.CreateSelfSigned(NotBefore, NotBefore.AddYears(50));
                return NodeIdentity.Import(certificate.Export(X509ContentType.Pkcs12, Passphrase), Passphrase);
            }
        }
    }
}
