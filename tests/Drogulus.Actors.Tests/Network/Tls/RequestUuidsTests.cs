using Drogulus.Actors.Network.Tls;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// <see cref="RequestUuids"/> (PROTOCOL §4, issue 13): the request ids of one connection are UUID text, never repeat,
/// and keep the random UUID's version and variant; two connections draw different ones.
/// </summary>
public sealed class RequestUuidsTests
{
    [Fact]
    public void RequestUuids_should_give_distinct_version_4_uuid_text_when_asked_many_times()
    {
        var uuids = new RequestUuids();

        var given = Enumerable.Range(0, 100_000).Select(_ => uuids.Next()).ToList();

        Assert.Equal(given.Count, given.Distinct(StringComparer.Ordinal).Count());
        foreach (var text in given.Take(1000).Concat(given.TakeLast(1000)))
        {
            Assert.Equal(36, text.Length);
            var guid = Guid.Parse(text);
            Assert.Equal(4, guid.Version);
            Assert.Equal(text, guid.ToString());
            Assert.Equal('4', text[14]);
            Assert.Contains(text[19], "89ab");
        }
    }

    [Fact]
    public void RequestUuids_should_give_different_uuids_when_two_connections_ask()
    {
        var first = new RequestUuids();
        var second = new RequestUuids();

        var a = Enumerable.Range(0, 1000).Select(_ => first.Next()).ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain(Enumerable.Range(0, 1000).Select(_ => second.Next()), a.Contains);
    }
}
