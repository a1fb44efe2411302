using Akka.Event;
using Serilog;
using Serilog.Events;

namespace Drogulus.Node;

/// <summary>
/// Akka's minimal logger (<c>akka.stdout-logger-class</c>), which writes what Akka logs before its loggers start
/// and after they stop (start-up, coordinated shutdown) to Serilog, so that those lines have the console format of
/// every other line instead of Akka's own.
/// </summary>
internal sealed class SerilogStdoutLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not Akka.Event.LogEvent e)
        {
            return;
        }

        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogEventLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogEventLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogEventLevel.Warning,
            _ => LogEventLevel.Error,
        };
        var logger = Serilog.Log.Logger.ForContext("LogSource", e.LogSource);
        if (e.Message is LogMessage template)
        {
            logger.Write(level, e.Cause, template.Format, template.Parameters().ToArray());
        }
        else
        {
            logger.Write(level, e.Cause, "{Message}", e.Message?.ToString());
        }
    }
}
