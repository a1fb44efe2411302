using Serilog.Core;
using Serilog.Events;

namespace Drogulus.LocalNetwork;

/// <summary>Counts the warnings (and worse) logged during the demo, for the one console line that reports them.</summary>
internal sealed class WarningCounter : ILogEventSink
{
    private int _count;

    /// <summary>Events at Warning or above seen so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level >= LogEventLevel.Warning)
        {
            Interlocked.Increment(ref _count);
        }
    }
}
