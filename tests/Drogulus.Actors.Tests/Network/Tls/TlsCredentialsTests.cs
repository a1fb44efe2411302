using System.Security.Cryptography.X509Certificates;
using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;

namespace Drogulus.Actors.Tests.Network.Tls;

public sealed class TlsCredentialsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    // Issue 13: the chain SslStream builds for a peer's self-signed certificate is ignored (only the key's hash
    // counts), so it is built against an empty custom root store instead of the system store: a third less CPU
    // per handshake.
    [Fact]
    public void Options_should_build_peer_chains_without_the_system_store_when_dialling_or_accepting()
    {
        using var identity = NodeIdentity.Generate(Now);
        var credentials = new TlsCredentials(identity);

        var policies = new[] { credentials.Client(Key.Hash([1])).CertificateChainPolicy, credentials.Server().CertificateChainPolicy };

        Assert.All(policies, policy =>
        {
            Assert.NotNull(policy);
            Assert.Equal(X509ChainTrustMode.CustomRootTrust, policy.TrustMode);
            Assert.Empty(policy.CustomTrustStore);
            Assert.Equal(X509RevocationMode.NoCheck, policy.RevocationMode);
            Assert.True(policy.DisableCertificateDownloads);
        });
    }
}
