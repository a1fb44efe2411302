using Drogulus.Actors.Network;
using Drogulus.Actors.Network.Tls;

using static Drogulus.Actors.Tests.Network.Tls.TlsTestServer;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>PROTOCOL §2: a peer's id is the hash of its certificate's key; a known certificate is not hashed again.</summary>
public sealed class PeerIdCacheTests
{
    [Fact]
    public void IdOf_should_give_the_id_the_certificate_proves_and_remember_it_by_its_raw_bytes()
    {
        var cache = new PeerIdCache(capacity: 8);
        var identity = NewIdentity();

        Assert.Equal(identity.Id, cache.IdOf(identity.Certificate));
        Assert.Equal(identity.Id, cache.IdOf(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(identity.Certificate.RawData)));
        Assert.Equal(1, cache.Count);
        Assert.NotEqual(identity.Id, cache.IdOf(NewIdentity().Certificate));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void IdOf_should_hold_at_most_its_capacity_when_many_certificates_are_shown()
    {
        var cache = new PeerIdCache(capacity: 3);
        var identities = Enumerable.Range(0, 7).Select(_ => NewIdentity()).ToArray();

        Assert.All(identities, identity => Assert.Equal(identity.Id, cache.IdOf(identity.Certificate)));

        Assert.InRange(cache.Count, 1, 3);
        Assert.Equal(NodeIdentity.IdOf(identities[^1].Certificate), cache.IdOf(identities[^1].Certificate));
    }
}
