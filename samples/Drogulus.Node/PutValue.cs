using System.Text;
using Drogulus.Core.Wire;

namespace Drogulus.Node;

/// <summary>
/// The value of <c>put</c>: the VALUE argument, standard input (<c>-</c>) or a file (<c>--file</c>), read
/// no further than the node's <c>max-item-size</c>, so a huge input fails at once and in words.
/// </summary>
internal static class PutValue
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>The value as canonical msgpack: a string (the wire speaks the old msgpack spec, so text only).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(string? argument, string? file, int maxItemSize, CancellationToken cancel)
    {
        if (file is not null && argument is not null)
        {
            throw new CliException("give the value as VALUE, '-' (standard input) or --file PATH, not two of them");
        }

        ReadOnlyMemory<byte> msgpack;
        if (file is not null)
        {
            msgpack = Encode(await ReadBoundedAsync(OpenFile(file), file, maxItemSize, cancel), file);
        }
        else if (argument == "-")
        {
            msgpack = Encode(await ReadBoundedAsync(Console.OpenStandardInput(), "standard input", maxItemSize, cancel), "standard input");
        }
        else if (argument is not null)
        {
            msgpack = CanonicalMsgPack.Encode(argument);
        }
        else
        {
            throw new CliException("give the value as VALUE, '-' (standard input) or --file PATH");
        }

        if (msgpack.Length > maxItemSize)
        {
            throw new CliException($"the value is {msgpack.Length} bytes as msgpack; the node stores values of at most {maxItemSize} bytes (max-item-size)");
        }

        return msgpack;
    }

    private static Stream OpenFile(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the value file {path}: {e.Message}");
        }
    }

    // Reads at most maxItemSize + 1 bytes: one more than fits is enough to know the value is too large.
    private static async Task<byte[]> ReadBoundedAsync(Stream input, string what, int maxItemSize, CancellationToken cancel)
    {
        await using var stream = input;
        var buffer = new byte[maxItemSize + 1];
        var filled = 0;
        try
        {
            int read;
            while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancel)) > 0)
            {
                filled += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the value from {what}: {e.Message}");
        }

        if (filled > maxItemSize)
        {
            throw new CliException($"the value in {what} is larger than {maxItemSize} bytes, the most the node stores (max-item-size)");
        }

        return buffer[..filled];
    }

    private static ReadOnlyMemory<byte> Encode(byte[] bytes, string what)
    {
        try
        {
            return CanonicalMsgPack.Encode(StrictUtf8.GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            throw new CliException($"the value in {what} is not UTF-8 text (values are stored as msgpack strings)");
        }
    }
}
