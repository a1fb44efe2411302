using Akka.Actor;
using Akka.Event;
using Drogulus.Core.Routing;

namespace Drogulus.Actors.Routing;

/// <summary>
/// Saving the table to <c>drogulus.routing-table.file</c> while the node runs (PROTOCOL §8: a restarted node
/// rejoins through its saved contacts, also after kill -9): every <c>save-interval</c> while contacts changed,
/// sooner after many changes, and at stop. The snapshot is taken here (one message, so a consistent table);
/// the write runs off the actor's thread and comes back as a message; one write is in flight at a time.
/// </summary>
internal sealed partial class RoutingTableActor
{
    private readonly RoutingTableFile? _file;
    private int _changes;
    private bool _writing;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (_file is not null)
        {
            Timers.StartPeriodicTimer("save", SaveTick.Instance, _settings.RoutingTableSaveInterval);
        }
    }

    // At stop (and before a restart) the table is written here and now: nothing comes after to wait for a message.
    protected override void PostStop()
    {
        if (_file is null)
        {
            return;
        }

        try
        {
            _file.Save(RoutingTableSnapshot.Save(_table), _file.NextVersion());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Could not save the routing table to {Path} at stop: {Reason}", _file.Path, e.Message);
        }
    }

    private void ReceiveFileSaves()
    {
        Receive<SaveTick>(_ =>
        {
            if (_changes > 0 && !_writing)
            {
                SaveInBackground();
            }
        });
        Receive<FileSaved>(_ =>
        {
            _writing = false;
            if (_changes >= SaveThreshold)
            {
                SaveInBackground();
            }
        });
        Receive<FileNotSaved>(failed =>
        {
            _writing = false;
            _log.Warning("Could not save the routing table to {Path}: {Reason}", _file!.Path, failed.Reason);
        });
    }

    // A tenth of the table (so that a node killed between two saves keeps at least nine tenths of its contacts),
    // at most save-after-changes, at least one.
    private int SaveThreshold => Math.Max(1, Math.Min(_settings.RoutingTableSaveAfterChanges, _table.Count / 10));

    /// <summary>A contact entered or left the table.</summary>
    private void Changed()
    {
        if (_file is null)
        {
            return;
        }

        _changes++;
        if (!_writing && _changes >= SaveThreshold)
        {
            SaveInBackground();
        }
    }

    private void SaveInBackground()
    {
        var file = _file!;
        var snapshot = RoutingTableSnapshot.Save(_table);
        var version = file.NextVersion();
        _changes = 0;
        _writing = true;
        Task.Run(() => file.Save(snapshot, version)).PipeTo(
            Self,
            success: _ => FileSaved.Instance,
            failure: e => new FileNotSaved((e is AggregateException { InnerException: { } inner } ? inner : e).Message));
    }

    private sealed record SaveTick
    {
        public static SaveTick Instance { get; } = new();
    }

    private sealed record FileSaved
    {
        public static FileSaved Instance { get; } = new();
    }

    private sealed record FileNotSaved(string Reason);
}
