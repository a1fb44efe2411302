using Drogulus.Actors.Network.Tls;

namespace Drogulus.Actors.Tests.Network.Tls;

/// <summary>
/// How a connection hands a batch of frames to its TLS stream (issue 9, memory per connection): in writes of at most
/// <c>tls-record-size</c> bytes, one TLS record each, in order, so that no record is larger than the setting.
/// </summary>
public sealed class TlsRecordWritesTests
{
    [Theory]
    [InlineData(10_000, 4096, new[] { 4096, 4096, 1808 })]
    [InlineData(4096, 4096, new[] { 4096 })]
    [InlineData(100, 4096, new[] { 100 })]
    [InlineData(16_384, 16_384, new[] { 16_384 })]
    public async Task WriteRecords_should_write_the_batch_in_order_in_writes_of_at_most_the_record_size_when_every_write_completes_at_once(
        int length, int recordSize, int[] expected)
    {
        var batch = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        var stream = new RecordingStream(completeAtOnce: true);

        var write = ConnectionActor.WriteRecords(stream, batch, recordSize, CancellationToken.None);

        Assert.True(write.IsCompletedSuccessfully);
        await write;
        Assert.Equal(expected, stream.Writes.Select(w => w.Length));
        Assert.Equal(batch, stream.Writes.SelectMany(w => w).ToArray());
    }

    [Fact]
    public async Task WriteRecords_should_write_the_rest_after_a_write_that_did_not_complete_at_once()
    {
        var batch = Enumerable.Range(0, 9000).Select(i => (byte)i).ToArray();
        var stream = new RecordingStream(completeAtOnce: false);

        var write = ConnectionActor.WriteRecords(stream, batch, 4096, CancellationToken.None);

        Assert.False(write.IsCompleted);
        for (var i = 0; i < 3; i++)
        {
            // Each write is handed over before the one before it completes; completing it lets the next start.
            await stream.Written.WaitAsync();
            Assert.Equal(i + 1, stream.Writes.Count);
            stream.CompletePending();
        }

        await write;
        Assert.Equal([4096, 4096, 808], stream.Writes.Select(w => w.Length));
        Assert.Equal(batch, stream.Writes.SelectMany(w => w).ToArray());
    }

    /// <summary>Records each write; completes it at once or only when told (<see cref="CompletePending"/>). Public members: only the test.</summary>
    private sealed class RecordingStream(bool completeAtOnce) : Stream
    {
        private TaskCompletionSource? _pending;

        public List<byte[]> Writes { get; } = [];

        /// <summary>Released once for every write that waits to be completed.</summary>
        public SemaphoreSlim Written { get; } = new(0);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>Completes the write that waits.</summary>
        public void CompletePending()
        {
            var pending = _pending ?? throw new InvalidOperationException("No write waits.");
            _pending = null;
            pending.SetResult();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Assert.Null(_pending);
            Writes.Add(buffer.ToArray());
            if (completeAtOnce)
            {
                return ValueTask.CompletedTask;
            }

            var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending = pending;
            Written.Release();
            return new ValueTask(pending.Task);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
