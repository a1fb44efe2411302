using System.Security.Cryptography.X509Certificates;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// Whether a dial's TLS 1.3 handshake resumed a session, told by the bytes the dialler read until it completed
/// (SslStream does not say): a full handshake's server flight carries the server's certificate, its signature
/// (CertificateVerify) and a CertificateRequest after the ServerHello, so it is longer than the certificate by
/// 200 bytes and more (730–736 bytes with a node's P-256 certificate); a resumed one is a ServerHello, the
/// encrypted extensions and a Finished (241 bytes), whatever the certificate. Issue 21: the share of reconnections to
/// known peers that resume (<c>drogulus.tls.dials</c>).
/// </summary>
internal static class TlsResumption
{
    /// <summary>
    /// Whether <paramref name="bytesRead"/> (the dialler's reads up to the end of the handshake) is too short to hold a
    /// certificate of <paramref name="certificateLength"/> bytes with its signature: the session was resumed.
    /// </summary>
    public static bool IsResumed(long bytesRead, int certificateLength) => bytesRead < certificateLength + 100;

    /// <summary>The DER length of <paramref name="certificate"/>, without copying it when it can.</summary>
    public static int LengthOf(X509Certificate certificate) =>
        certificate is X509Certificate2 two ? two.RawDataMemory.Length : certificate.GetRawCertData().Length;
}
