using System.Buffers;
using Drogulus.Core.Identity;
using Drogulus.Core.Wire;
using MessagePack;

namespace Drogulus.Core.Routing;

/// <summary>
/// Saves a routing table's contacts and blacklist to bytes and loads them into a new table, so that a
/// restarted node knows its peers again without a fresh join (PROTOCOL §8 semantics are unchanged: the
/// contacts are simply added again).
/// </summary>
/// <remarks>
/// <para>
/// Format, version 1: one msgpack array written in canonical old-spec form,
/// <c>["drogulus-routing-table", 1, [[id, address, port, version, last_seen], ...], [blacklisted id, ...]]</c>
/// (the blacklist oldest first),
/// where ids are 64-byte raw strings and <c>last_seen</c> is the contact's last-seen instant as UTC ticks
/// (100 ns since 0001-01-01), so it comes back as the same instant with offset zero.
/// </para>
/// <para>
/// Saved: the contacts in the buckets (id, address, port, version, last seen) and the blacklist. Not saved:
/// failure counts (a restart starts them again at zero), the replacement caches and the buckets' last-touched
/// times (every bucket of a loaded table counts as touched at the load time).
/// </para>
/// <para>
/// Loading blacklists the saved ids, then adds the saved contacts in last-seen order, oldest first (ties in
/// saved order), as the node originally saw them. Every saved contact lands in a bucket again, least recently
/// seen first, so <see cref="RoutingTable.Closest"/> answers as before. The buckets are the same or coarser: a
/// split made for contacts that have since left the table is not made again. (One order can differ: the
/// original table puts a replacement promoted from the cache last whatever its last-seen time; the loaded
/// table orders it by that time.)
/// </para>
/// </remarks>
public static class RoutingTableSnapshot
{
    /// <summary>The format version written by <see cref="Save"/> and the only one <see cref="Load"/> reads.</summary>
    public const int FormatVersion = 1;

    private const string Magic = "drogulus-routing-table";

    /// <summary>The contacts and blacklist of <paramref name="table"/>, as bytes for <see cref="Load"/>.</summary>
    public static byte[] Save(RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = CanonicalMsgPack.CreateWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        var contacts = table.AllContacts();
        writer.WriteArrayHeader(contacts.Count);
        var id = new byte[Key.Length];
        foreach (var contact in contacts)
        {
            writer.WriteArrayHeader(5);
            contact.Id.CopyTo(id);
            writer.WriteString(id);
            writer.Write(contact.Address);
            writer.Write(contact.Port);
            writer.Write(contact.Version);
            writer.Write(contact.LastSeen.UtcTicks);
        }

        // Oldest first, so that a loaded table forgets the same ids first (max-blacklist, PROTOCOL §8).
        var blacklist = table.BlacklistedIds.ToList();
        writer.WriteArrayHeader(blacklist.Count);
        foreach (var blacklisted in blacklist)
        {
            blacklisted.CopyTo(id);
            writer.WriteString(id);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A new routing table for <paramref name="ownId"/> holding the contacts and blacklist saved in
    /// <paramref name="snapshot"/>.
    /// </summary>
    /// <param name="snapshot">Bytes from <see cref="Save"/>.</param>
    /// <param name="ownId">The node's own id; a saved contact with this id is left out.</param>
    /// <param name="k">Bucket size of the new table.</param>
    /// <param name="allowedRpcFails">Failed RPCs after which the new table drops a contact.</param>
    /// <param name="now">The new table's creation time, and so every bucket's last-touched time.</param>
    /// <param name="limits">The new table's group limits and blacklist bound; a saved blacklist longer than the
    /// bound keeps its newest ids, and saved contacts past a group's share are left out (PROTOCOL §8).</param>
    /// <exception cref="FormatException">when <paramref name="snapshot"/> is not a routing table snapshot of
    /// a known version, or is damaged.</exception>
    public static RoutingTable Load(byte[] snapshot, Key ownId, int k, int allowedRpcFails, DateTimeOffset now, RoutingLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var table = new RoutingTable(ownId, k, allowedRpcFails, now, limits);
        var (contacts, blacklist) = Parse(snapshot);
        foreach (var id in blacklist)
        {
            table.Blacklist(id);
        }

        // Re-adding in the order the node saw them rebuilds each bucket's least-recently-seen order.
        foreach (var contact in contacts.OrderBy(c => c.LastSeen.UtcTicks))
        {
            table.Add(contact);
        }

        return table;
    }

    private static (List<Contact> Contacts, List<Key> Blacklist) Parse(byte[] snapshot)
    {
        try
        {
            var reader = new MessagePackReader(snapshot);
            if (reader.ReadArrayHeader() != 4 || ReadText(ref reader) != Magic)
            {
                throw new FormatException("Not a routing table snapshot.");
            }

            var version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw new FormatException($"Routing table snapshot format {version} is not supported; this build reads {FormatVersion}.");
            }

            var contactCount = reader.ReadArrayHeader();
            var contacts = new List<Contact>();
            for (var i = 0; i < contactCount; i++)
            {
                contacts.Add(ReadContact(ref reader));
            }

            var blacklistCount = reader.ReadArrayHeader();
            var blacklist = new List<Key>();
            for (var i = 0; i < blacklistCount; i++)
            {
                blacklist.Add(ReadId(ref reader));
            }

            if (!reader.End)
            {
                throw new FormatException("Trailing bytes after the routing table snapshot.");
            }

            return (contacts, blacklist);
        }
        catch (FormatException e)
        {
            throw new FormatException("Unreadable routing table snapshot: " + e.Message, e);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException
                                      or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("Unreadable routing table snapshot: " + e.Message, e);
        }
    }

    private static Contact ReadContact(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 5)
        {
            throw new FormatException("A contact is not a five-element array.");
        }

        var id = ReadId(ref reader);
        var address = ReadText(ref reader);
        var port = reader.ReadInt32();
        var version = ReadText(ref reader);
        var lastSeen = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        if (address.Length == 0)
        {
            throw new FormatException("A contact has an empty address.");
        }

        if (port is < 1 or > 65535)
        {
            throw new FormatException($"A contact has port {port}.");
        }

        return new Contact(id, address, port, version, lastSeen);
    }

    private static Key ReadId(ref MessagePackReader reader)
    {
        var raw = ReadRaw(ref reader);
        if (raw.Length != Key.Length)
        {
            throw new FormatException($"An id has {raw.Length} bytes instead of {Key.Length}.");
        }

        return new Key(raw);
    }

    private static string ReadText(ref MessagePackReader reader) =>
        System.Text.Encoding.UTF8.GetString(ReadRaw(ref reader));

    private static byte[] ReadRaw(ref MessagePackReader reader)
    {
        ReadOnlySequence<byte>? raw = reader.NextMessagePackType switch
        {
            MessagePackType.String => reader.ReadStringSequence(),
            MessagePackType.Binary => reader.ReadBytes(),
            _ => throw new FormatException($"Expected a raw string, found {reader.NextMessagePackType}."),
        };
        return raw is { } r ? r.ToArray() : throw new FormatException("Expected a raw string, found nil.");
    }
}
