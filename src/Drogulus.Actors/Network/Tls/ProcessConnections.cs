using Akka.Actor;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The connection budget shared by every TLS node of one actor system (in practice, of one process): each open
/// connection holds one file descriptor, so two hundred nodes that each stay inside <c>max-connections</c> can
/// still run the process out of descriptors (issue 9). A transport takes a slot for every connection it opens or
/// accepts and gives it back when the connection closes. The limit is the smallest <c>process-max-connections</c>
/// any transport announced, capped by the process's open-file limit minus the descriptors the process held when the
/// transport started (other than these connections: a .NET process holds two for each assembly it loaded, some 230
/// for a node) minus <c>descriptor-reserve</c> (at most a quarter of that limit is reserved). Thread safe: transports
/// on different threads share it. Running at the limit is not survivable in general: the .NET runtime needs a
/// descriptor to start a thread and aborts the process ("Out of memory.") when it gets none.
/// </summary>
internal sealed class ProcessConnections : IExtension
{
    private readonly object _gate = new();
    private readonly Dictionary<IActorRef, int> _held = new();
    private int _limit = int.MaxValue;
    private int _announced = int.MaxValue;
    private int _count;
    private int _reserved;

    /// <summary>The budget of <paramref name="system"/>.</summary>
    public static ProcessConnections Get(ActorSystem system) => system.WithExtension<ProcessConnections, Provider>();

    /// <summary>Slots taken.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The limit in force.</summary>
    public int Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    /// <summary>
    /// The listen backlog for a listener of this process: a quarter of the descriptors reserved (16 to 1024). Akka.IO's
    /// listener accepts every connection waiting in the backlog at once, each taking a descriptor before the transport
    /// can count it, so the backlog, not the budget, bounds the descriptors a burst of connections takes; with the
    /// default backlog (1024) a burst of 800 connections took some 480 descriptors beyond the budget and ran a node
    /// under <c>ulimit -n 1024</c> out of them.
    /// </summary>
    public int AcceptBacklog
    {
        get
        {
            lock (_gate)
            {
                return Math.Clamp(_reserved / 4, 16, 1024);
            }
        }
    }

    /// <summary>A transport uses this budget (again: it counts once).</summary>
    public void Join(IActorRef transport)
    {
        lock (_gate)
        {
            _held.TryAdd(transport, 0);
        }
    }

    /// <summary>A transport stopped using this budget (it gave its slots back first).</summary>
    public void Leave(IActorRef transport)
    {
        lock (_gate)
        {
            _held.Remove(transport);
        }
    }

    /// <summary>
    /// The budget is full and <paramref name="borrower"/> has no idle connection to close: when it holds less than its
    /// fair share (the limit divided among the transports), it takes a slot beyond the limit and
    /// <paramref name="donor"/>, the transport holding the most slots (more than its share), is to close its
    /// connection idle longest to pay it back. At most a quarter of the reserve is lent at once, and nothing while the
    /// process is short of descriptors (<see cref="Short"/>). Without this, in a
    /// 200-node join storm the nodes that joined last could not dial at all: the others held every slot.
    /// </summary>
    public bool TryLend(IActorRef borrower, out IActorRef? donor)
    {
        donor = null;
        lock (_gate)
        {
            var share = Math.Max(1, _limit / Math.Max(1, _held.Count));
            if (!_held.TryGetValue(borrower, out var borrowed) || _limit < _announced || _count >= _limit + (_reserved / 4) || borrowed >= share)
            {
                return false;
            }

            var most = share;
            foreach (var (transport, held) in _held)
            {
                if (held > most && !transport.Equals(borrower))
                {
                    (donor, most) = (transport, held);
                }
            }

            if (donor is null)
            {
                return false;
            }

            _count++;
            _held[borrower] = borrowed + 1;
            return true;
        }
    }

    /// <summary>Whether the limit is lowered below the announced one (<see cref="Shrink"/>): the process ran out of descriptors.</summary>
    public bool Short
    {
        get
        {
            lock (_gate)
            {
                return _limit < _announced;
            }
        }
    }

    /// <summary>
    /// A transport's settings: the limit becomes the smaller of the one in force and <paramref name="maxConnections"/>,
    /// capped by <paramref name="openFileLimit"/> (null when unknown) minus the descriptors open in the process
    /// (<paramref name="openDescriptors"/>, of which this budget's connections are not counted) minus the reserve.
    /// </summary>
    public void Announce(int maxConnections, int reserve, long? openFileLimit, int openDescriptors = 0)
    {
        var limit = (long)maxConnections;
        if (openFileLimit is { } files)
        {
            var held = Math.Max(0, openDescriptors - Count);
            reserve = (int)Math.Min(reserve, files / 4);
            limit = Math.Min(limit, files - held - reserve);
        }

        lock (_gate)
        {
            _reserved = Math.Max(_reserved, reserve);
            _announced = (int)Math.Max(1, Math.Min(_announced, limit));
            _limit = Math.Min(_limit, _announced);
        }
    }

    /// <summary>
    /// The process ran out of descriptors below the limit (something else holds them): the limit drops to
    /// <paramref name="freeing"/> below the slots taken, so the connections being closed to free descriptors are not
    /// replaced, and accepts meanwhile are refused at once. Returns the new limit.
    /// </summary>
    public int Shrink(int freeing)
    {
        lock (_gate)
        {
            _limit = Math.Max(1, Math.Min(_limit, _count - freeing));
            return _limit;
        }
    }

    /// <summary>The shortage is over: the limit is the announced one again.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            _limit = _announced;
        }
    }

    /// <summary>Takes a slot for <paramref name="owner"/> (a transport, counted for <see cref="TryLend"/>); false when the budget is full.</summary>
    public bool TryTake(IActorRef? owner = null)
    {
        lock (_gate)
        {
            if (_count >= _limit)
            {
                return false;
            }

            _count++;
            if (owner is not null && _held.TryGetValue(owner, out var held))
            {
                _held[owner] = held + 1;
            }

            return true;
        }
    }

    /// <summary>Gives a slot of <paramref name="owner"/> back.</summary>
    public void Release(IActorRef? owner = null)
    {
        lock (_gate)
        {
            _count = Math.Max(0, _count - 1);
            if (owner is not null && _held.TryGetValue(owner, out var held))
            {
                _held[owner] = Math.Max(0, held - 1);
            }
        }
    }

    /// <summary>
    /// The soft open-file limit of this process (<c>ulimit -n</c>) from <c>/proc/self/limits</c>, or null when it
    /// cannot be read (not Linux) or is unlimited.
    /// </summary>
    public static long? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], out var soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>The descriptors this process holds now (from <c>/proc/self/fd</c>), or 0 when they cannot be counted.</summary>
    public static int OpenDescriptors()
    {
        try
        {
            // The enumeration holds one descriptor of its own while it reads.
            return Math.Max(0, Directory.GetFileSystemEntries("/proc/self/fd").Length - 1);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    private sealed class Provider : ExtensionIdProvider<ProcessConnections>
    {
        public override ProcessConnections CreateExtension(ExtendedActorSystem system) => new();
    }
}
