using System.Collections.Concurrent;
using Akka.Actor;
using Drogulus.Actors.Network;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.FloodBenchmark;

/// <summary>
/// The honest publisher of the store-fill attack, in an address group of its own: ten times a second it stores one
/// of 50 names (1,000-byte values, each put with a newer timestamp) and reads it back with findvalue, counting every
/// outcome under the current window (an attack phase, the quiet time after it, the wait for max-item-age).
/// Paced well below the rate limit, so that any error 10 it gets is the node's fault, not its own.
/// </summary>
internal sealed class HonestClient(IActorRef transport, PeerAddress target, PublisherKey key)
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);
    private static readonly string Value = new('h', 1000 - 3);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, long>> _tallies = new(StringComparer.Ordinal);

    /// <summary>The window the next outcomes are counted under.</summary>
    public string Window { get; set; } = "setup";

    /// <summary>The outcomes of one window: <c>put pong</c>, <c>put error 11</c>, <c>read back</c>, <c>read stale</c>, ...</summary>
    public IReadOnlyDictionary<string, long> Tally(string window) =>
        _tallies.TryGetValue(window, out var tally) ? new Dictionary<string, long>(tally) : new Dictionary<string, long>();

    /// <summary>Puts and reads until <paramref name="stop"/>.</summary>
    public async Task Run(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        long n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var tally = _tallies.GetOrAdd(Window, _ => new ConcurrentDictionary<string, long>(StringComparer.Ordinal));
                var item = SignedItem.Create(key, $"honest {n++ % 50}", Value, StoreFill.Now(), 0);
                var put = await Request(Attacks.Store(item));
                Count(tally, "put " + Kind(put));
                if (put is RpcReplied { Reply: PongMessage })
                {
                    var get = await Request(new FindValueMessage("", default, 0, "", item.Key));
                    var read = get switch
                    {
                        RpcReplied { Reply: ValueMessage value } when value.Item.Timestamp.Equals(item.Timestamp) => "read back",
                        RpcReplied { Reply: ValueMessage } => "read stale",
                        _ => "read " + Kind(get),
                    };
                    Count(tally, read);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The name of an outcome: the reply's wire name, <c>error N</c>, or the failure.</summary>
    public static string Kind(IRpcOutcome? outcome) => outcome switch
    {
        RpcReplied { Reply: ErrorMessage error } => $"error {(int)error.Code}",
        RpcReplied replied => replied.Reply.WireName,
        RpcFailed failed => $"failed ({failed.Failure})",
        null => "no answer within 60 s",
        _ => "other",
    };

    private static void Count(ConcurrentDictionary<string, long> tally, string kind) => tally.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private async Task<IRpcOutcome?> Request(Message message)
    {
        try
        {
            return await transport.Ask<IRpcOutcome>((Func<IActorRef, object>)(r => new SendRequest(target, message, r)), Ceiling, CancellationToken.None);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
