using Akka.Actor;
using Drogulus.Actors.Protocol;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;

namespace Drogulus.NetworkBenchmark;

/// <summary>
/// Overwrites read back (issue 24): after the get phases have cached copies along their paths (PROTOCOL §9
/// step 4), each of up to <c>count</c> items is put again with a newer timestamp from a random node, then read
/// once by a plain get and once by a latest get from another random node. A plain get that returns the old
/// version is classified by where that copy sat: the reader's own cached copy, a cached copy at a node outside the
/// key's k closest, or a node among the k closest (which only a put that missed a close node could leave).
/// </summary>
internal static class Overwrites
{
    public static async Task<OverwriteResult> Measure(IActorRef[] nodes, Key[] ids, SignedItem[] items, PublisherKey[] publishers, int k, Random random, TimeSpan timeout)
    {
        var count = Math.Min(items.Length, 200);
        var picks = Enumerable.Range(0, count).Select(_ => (Writer: random.Next(nodes.Length), Reader: random.Next(nodes.Length))).ToArray();
        var outcomes = new Outcome[count];
        foreach (var batch in Enumerable.Range(0, count).Chunk(16))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                var old = items[i];
                var newer = SignedItem.Create(publishers[i % publishers.Length], old.Name, $"overwritten {i}", old.Timestamp + 1, 0);
                var put = await nodes[picks[i].Writer].Ask<IPutReply>(new Put(newer), timeout);
                var reader = picks[i].Reader;
                var plain = await nodes[reader].Ask<IGetReply>(new Get(newer.Key), timeout);
                var latest = await nodes[reader].Ask<IGetReply>(new Get(newer.Key, Latest: true), timeout);
                outcomes[i] = Classify(put, plain, latest, newer, ids[reader], Closest(ids, newer.Key, k));
            }));
        }

        return new OverwriteResult(
            count,
            outcomes.Count(o => o == Outcome.PutFailed),
            outcomes.Count(o => o is Outcome.New or Outcome.NewPlainOnly),
            outcomes.Count(o => o == Outcome.OwnCachedCopy),
            outcomes.Count(o => o == Outcome.CachedCopyElsewhere),
            outcomes.Count(o => o == Outcome.CloseHolder),
            outcomes.Count(o => o is Outcome.New or Outcome.OwnCachedCopy or Outcome.CachedCopyElsewhere or Outcome.CloseHolder));
    }

    private static Outcome Classify(IPutReply put, IGetReply plain, IGetReply latest, SignedItem newer, Key reader, HashSet<Key> close)
    {
        if (put is not PutCompleted)
        {
            return Outcome.PutFailed;
        }

        var latestNew = latest is ValueFound l && l.Item.Equals(newer);
        if (plain is ValueFound p && !p.Item.Equals(newer))
        {
            var holder = p.AnsweredBy ?? reader;
            return !latestNew ? Outcome.LatestStale
                : close.Contains(holder) ? Outcome.CloseHolder
                : holder == reader ? Outcome.OwnCachedCopy
                : Outcome.CachedCopyElsewhere;
        }

        return plain is not ValueFound ? Outcome.PlainMissed : latestNew ? Outcome.New : Outcome.NewPlainOnly;
    }

    private static HashSet<Key> Closest(Key[] ids, Key key, int k)
    {
        var sorted = ids.ToArray();
        Array.Sort(sorted, key.CompareDistance);
        return sorted.Take(k).ToHashSet();
    }

    private enum Outcome
    {
        New,
        NewPlainOnly,
        OwnCachedCopy,
        CachedCopyElsewhere,
        CloseHolder,
        LatestStale,
        PlainMissed,
        PutFailed,
    }
}

/// <summary>What the overwrite phase saw: plain gets of the new version, old versions by where they sat, latest gets of the new version.</summary>
internal sealed record OverwriteResult(int Overwrites, int PutFailures, int PlainNew, int PlainOldOwnCachedCopy, int PlainOldCachedElsewhere, int PlainOldFromCloseHolder, int LatestNew)
{
    public double PlainNewPercent => Overwrites == 0 ? 0 : Math.Round(100.0 * PlainNew / Overwrites, 2);

    public double LatestNewPercent => Overwrites == 0 ? 0 : Math.Round(100.0 * LatestNew / Overwrites, 2);
}
