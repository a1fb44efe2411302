using Akka.Event;
namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The transport's warnings about peers and about itself: at most one of a kind per <c>log-warning-interval</c>, the
/// rest counted and reported with the next one (issue 9: logs an attacker cannot flood).
/// </summary>
internal sealed partial class TlsTransportActor
{
    /// <summary>Writes a warning unless one of its kind was written within <c>log-warning-interval</c>; then it is counted.</summary>
    private void Warn(string kind, string text)
    {
        var now = Context.System.Scheduler.Now;
        if (!_warnings.TryPass(kind, now, out var suppressed))
        {
            if (!Timers.IsTimerActive("suppressed"))
            {
                Timers.StartSingleTimer("suppressed", ReportSuppressed.Instance, _settings.LogWarningInterval);
            }

            return;
        }

        if (suppressed == 0)
        {
            _log.Warning("Node {NodeId}: {Warning}", _identity.Id.ToShortString(), text);
        }
        else
        {
            _log.Warning("Node {NodeId}: {Warning} ({Suppressed} more {Kind} warnings were not written)", _identity.Id.ToShortString(), text, suppressed, kind);
        }
    }

    private void OnReportSuppressed()
    {
        foreach (var (kind, count) in _warnings.TakeDue(Context.System.Scheduler.Now))
        {
            _log.Warning("Node {NodeId}: {Suppressed} more {Kind} warnings in the last {Interval} were not written", _identity.Id.ToShortString(), count, kind, _settings.LogWarningInterval);
        }

        if (_warnings.HasSuppressed)
        {
            Timers.StartSingleTimer("suppressed", ReportSuppressed.Instance, _settings.LogWarningInterval);
        }
    }

    private sealed record ReportSuppressed
    {
        public static ReportSuppressed Instance { get; } = new();
    }
}
