using Drogulus.Actors.Network.Tls;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// <see cref="OutgoingFrames"/> on its own (PROTOCOL §4): one write in flight at a time, frames queued meanwhile go
/// out together and in order in the next write, and a message over <c>max-frame-size</c> is refused.
/// </summary>
public sealed class OutgoingFramesTests
{
    private const int MaxFrameSize = 64 * 1024;
    private const int KeepCapacity = 16 * 1024;

    private readonly Key _self = Key.Random(new Random(31));

    [Fact]
    public void OutgoingFrames_should_offer_nothing_when_no_frame_is_queued()
    {
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);

        Assert.False(outgoing.HasQueued);
        Assert.False(outgoing.TryTakeBatch(out _));
        Assert.False(outgoing.InFlight);
    }

    [Fact]
    public void OutgoingFrames_should_write_one_netstring_frame_of_the_encoded_message_when_one_is_queued()
    {
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);
        var ping = Ping("u1");

        Assert.True(outgoing.Enqueue(ping));
        Assert.True(outgoing.HasQueued);
        Assert.True(outgoing.TryTakeBatch(out var batch));

        Assert.Equal(NetstringFramer.Frame(MessageCodec.Encode(ping)), batch.ToArray());
        Assert.True(outgoing.InFlight);
        Assert.False(outgoing.HasQueued);
    }

    [Fact]
    public void OutgoingFrames_should_coalesce_frames_queued_during_a_write_into_the_next_write_in_order_when_the_write_completes()
    {
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);
        outgoing.Enqueue(Ping("u1"));
        Assert.True(outgoing.TryTakeBatch(out var first));
        var firstBytes = first.ToArray();

        outgoing.Enqueue(Ping("u2"));
        outgoing.Enqueue(Ping("u3"));
        outgoing.Enqueue(Ping("u4"));
        Assert.False(outgoing.TryTakeBatch(out _));
        Assert.Equal(firstBytes, first.ToArray());

        outgoing.Completed();
        Assert.False(outgoing.InFlight);
        Assert.True(outgoing.TryTakeBatch(out var second));

        Assert.Equal(["u1"], Uuids(firstBytes));
        Assert.Equal(["u2", "u3", "u4"], Uuids(second.ToArray()));
        outgoing.Completed();
        Assert.False(outgoing.TryTakeBatch(out _));
    }

    [Fact]
    public void OutgoingFrames_should_send_every_frame_exactly_once_in_order_when_enqueues_and_writes_interleave()
    {
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);
        var random = new Random(7);
        var written = new List<string>();
        var next = 0;
        for (var step = 0; step < 500; step++)
        {
            switch (random.Next(3))
            {
                case 0:
                    Assert.True(outgoing.Enqueue(Ping($"u{next++}")));
                    break;
                case 1:
                    if (outgoing.TryTakeBatch(out var batch))
                    {
                        written.AddRange(Uuids(batch.ToArray()));
                    }

                    break;
                default:
                    if (outgoing.InFlight)
                    {
                        outgoing.Completed();
                    }

                    break;
            }
        }

        if (outgoing.InFlight)
        {
            outgoing.Completed();
        }

        if (outgoing.TryTakeBatch(out var last))
        {
            written.AddRange(Uuids(last.ToArray()));
        }

        Assert.True(next > 100);
        Assert.Equal(Enumerable.Range(0, next).Select(i => $"u{i}"), written);
    }

    [Fact]
    public void OutgoingFrames_should_refuse_a_message_without_queueing_it_when_it_is_larger_than_max_frame_size()
    {
        var fits = Ping("u1");
        var tooLarge = Ping("u1-and-a-longer-uuid");
        var outgoing = new OutgoingFrames(MessageCodec.Encode(fits).Length, KeepCapacity);

        Assert.False(outgoing.Enqueue(tooLarge));
        Assert.False(outgoing.HasQueued);

        Assert.True(outgoing.Enqueue(fits));
        Assert.True(outgoing.TryTakeBatch(out var batch));
        Assert.Equal(["u1"], Uuids(batch.ToArray()));
    }

    [Fact]
    public void OutgoingFrames_should_reuse_a_small_write_buffer_when_frames_keep_coming()
    {
        // The bytes of a batch are only promised until Completed; while the connection stays busy a kept buffer is
        // written over by a later batch (an idle connection drops its buffers instead).
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);
        Assert.True(outgoing.Enqueue(Ping("a1")));
        Assert.True(outgoing.TryTakeBatch(out var first));
        var snapshot = first.ToArray();

        for (var i = 0; i < 2; i++)
        {
            Assert.True(outgoing.Enqueue(Ping($"b{i}")));
            outgoing.Completed();
            Assert.True(outgoing.TryTakeBatch(out _));
        }

        Assert.NotEqual(snapshot, first.ToArray());
    }

    [Fact]
    public void OutgoingFrames_should_hold_no_buffer_when_idle_before_and_after_a_write()
    {
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);
        Assert.Equal(0, outgoing.HeldCapacity);

        Assert.True(outgoing.Enqueue(new PingMessage("u1", Key.Zero, 1, "1.0")));
        Assert.True(outgoing.TryTakeBatch(out _));
        Assert.True(outgoing.QueuedBytes > 0);
        outgoing.Completed();

        Assert.Equal(0, outgoing.QueuedBytes);
        Assert.Equal(0, outgoing.HeldCapacity);
    }

    [Fact]
    public void OutgoingFrames_should_drop_a_write_buffer_grown_past_keepCapacity_when_its_write_completes()
    {
        var outgoing = new OutgoingFrames(MaxFrameSize, KeepCapacity);
        var burst = Enumerable.Range(0, 2000).Select(i => $"a{i}").ToArray();
        var first = TakeAndComplete(outgoing, burst);
        Assert.True(first.Length > KeepCapacity);
        var snapshot = first.ToArray();

        TakeAndComplete(outgoing, ["b1"]);
        TakeAndComplete(outgoing, ["c1"]);

        Assert.Equal(snapshot, first.ToArray());
        Assert.Equal(burst, Uuids(snapshot));
    }

    private ReadOnlyMemory<byte> TakeAndComplete(OutgoingFrames outgoing, IEnumerable<string> uuids)
    {
        foreach (var uuid in uuids)
        {
            Assert.True(outgoing.Enqueue(Ping(uuid)));
        }

        Assert.True(outgoing.TryTakeBatch(out var batch));
        outgoing.Completed();
        return batch;
    }

    private PingMessage Ping(string uuid) => new(uuid, _self, 4000, ProtocolVersion.Current);

    private static List<string> Uuids(byte[] written)
    {
        var framer = new NetstringFramer(MaxFrameSize);
        var frames = new List<ReadOnlyMemory<byte>>();
        Assert.True(framer.Feed(written, frames).IsOk);
        Assert.False(framer.HasPartialFrame);
        return frames.Select(f => MessageCodec.Decode(f).Message!.Uuid).ToList();
    }
}
