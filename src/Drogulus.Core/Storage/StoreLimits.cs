using Drogulus.Core.Items;

namespace Drogulus.Core.Storage;

/// <summary>
/// The size and quota bounds of PROTOCOL §6 that <see cref="LocalStore"/> applies to every store:
/// <c>max-item-size</c>, <c>max-store-bytes</c> and <c>max-items-per-publisher</c>, plus how many reads
/// may pass before their access times are written to the <see cref="IItemStore"/>.
/// </summary>
/// <param name="MaxItemSize">Largest canonical msgpack <c>value</c>, in bytes (error 4 above it).</param>
/// <param name="MaxStoreBytes">Most bytes (<see cref="ItemSize.Of(Items.SignedItem)"/>) of all items held together.</param>
/// <param name="MaxItemsPerPublisher">Most items held under one publisher key.</param>
/// <param name="AccessFlushCount">
/// Reads whose access times are kept in memory before they are written in one batch; 1 writes each read
/// at once. Access times only decide when an unread cached copy is dropped, so losing a batch in a crash
/// costs at most an earlier deletion of a cached copy, never a close one.
/// </param>
public sealed record StoreLimits(int MaxItemSize, long MaxStoreBytes, int MaxItemsPerPublisher, int AccessFlushCount = 1)
{
    /// <summary>
    /// Room a <c>store</c> frame needs beside its <c>value</c>, in bytes. The envelope (message, uuid,
    /// node, reply_port, version) takes under 200 bytes; key, timestamp and expires 100; a signature under a
    /// 4096-bit key 517 and its PEM about 800; field names 100. The rest, over 14 KiB, is left to
    /// <c>name</c>, <c>meta</c> and <c>created_with</c>. Settings keep <c>max-item-size</c> at most
    /// <c>max-frame-size</c> less this, so that an item whose value fits can travel.
    /// </summary>
    public const int StoreFrameOverhead = 16 * 1024;

    /// <summary>
    /// <c>max-item-age</c> and <c>max-clock-skew</c> (PROTOCOL §3 rule 3), which decide when a held copy is
    /// dead. <see cref="ItemLifetime.Unbounded"/> unless set: a node sets it from its settings.
    /// </summary>
    public ItemLifetime Lifetime { get; init; } = ItemLifetime.Unbounded;

    /// <summary>No bounds at all: what a <see cref="LocalStore"/> built without limits applies.</summary>
    public static StoreLimits None { get; } = new(int.MaxValue, long.MaxValue, int.MaxValue);

    /// <summary>Checks the bounds.</summary>
    public StoreLimits Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxItemSize, 1, nameof(MaxItemSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStoreBytes, 1, nameof(MaxStoreBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxItemsPerPublisher, 1, nameof(MaxItemsPerPublisher));
        ArgumentOutOfRangeException.ThrowIfLessThan(AccessFlushCount, 1, nameof(AccessFlushCount));
        ArgumentNullException.ThrowIfNull(Lifetime);
        Lifetime.Validated();
        return this;
    }
}
