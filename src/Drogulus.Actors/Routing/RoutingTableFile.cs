using Drogulus.Core.Identity;
using Drogulus.Core.Routing;

namespace Drogulus.Actors.Routing;

/// <summary>
/// The routing table's file (<c>drogulus.routing-table.file</c>): written as <c>&lt;file&gt;.tmp</c>, flushed to
/// disk and renamed over the file, so that a process killed at any instant leaves the previous table or the new
/// one. Saves may come from a background write and from the actor's stop at once: each carries a version, and
/// one older than the last written is dropped, so a slow write never replaces a newer table.
/// </summary>
public sealed class RoutingTableFile
{
    private readonly object _gate = new();
    private long _written;
    private long _taken;

    /// <summary>A file at <paramref name="path"/> (made absolute).</summary>
    public RoutingTableFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The file's absolute path.</summary>
    public string Path { get; }

    /// <summary>The version of the next snapshot taken: later snapshots get higher versions.</summary>
    public long NextVersion() => Interlocked.Increment(ref _taken);

    /// <summary>
    /// Writes <paramref name="snapshot"/> (from <see cref="RoutingTableSnapshot.Save"/>) unless a save of a later
    /// <paramref name="version"/> was written already; returns whether it wrote. Blocking: call it off the actors' threads,
    /// or when stopping.
    /// </summary>
    /// <exception cref="IOException">when the directory or the file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">when the file may not be written.</exception>
    public bool Save(byte[] snapshot, long version)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            if (version <= _written)
            {
                return false;
            }

            var temp = Path + ".tmp";
            if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(snapshot);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
            _written = version;
            return true;
        }
    }

    /// <summary>
    /// The table saved in the file, for the node <paramref name="ownId"/>; null when there is no file.
    /// </summary>
    /// <exception cref="FormatException">when the file is not a routing table snapshot (or is damaged).</exception>
    /// <exception cref="IOException">when the file cannot be read.</exception>
    /// <param name="ownId">The node's own id.</param>
    /// <param name="k">Bucket size (PROTOCOL §1).</param>
    /// <param name="allowedRpcFails">Failed RPCs after which a contact is dropped.</param>
    /// <param name="now">When the table is loaded.</param>
    /// <param name="limits">The address-group limits and blacklist bound the loaded table keeps (PROTOCOL §8).</param>
    public RoutingTable? Load(Key ownId, int k, int allowedRpcFails, DateTimeOffset now, RoutingLimits? limits = null)
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        return RoutingTableSnapshot.Load(File.ReadAllBytes(Path), ownId, k, allowedRpcFails, now, limits);
    }
}
