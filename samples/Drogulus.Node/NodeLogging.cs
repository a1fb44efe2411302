using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Drogulus.Node;

/// <summary>
/// The logs of <c>start</c>: one console format for the node's lines and Akka's own (through Akka.Logger.Serilog
/// while the actor system runs and <see cref="SerilogStdoutLogger"/> before and after), and a daily rolling file
/// in compact JSON (CLEF: one object per line, <c>@t</c>, <c>@mt</c>, <c>@l</c>, <c>@x</c> and the template's
/// properties), kept for seven days.
/// </summary>
internal static class NodeLogging
{
    /// <summary>The HOCON that routes Akka's logging to Serilog, message templates included.</summary>
    public const string AkkaConfig = """
        akka.loglevel = INFO
        akka.log-dead-letters-during-shutdown = off
        akka.stdout-loglevel = WARNING
        akka.stdout-logger-class = "Drogulus.Node.SerilogStdoutLogger, drogulus-node"
        akka.loggers = ["Akka.Logger.Serilog.SerilogLogger, Akka.Logger.Serilog"]
        akka.logger-formatter = "Akka.Logger.Serilog.SerilogLogMessageFormatter, Akka.Logger.Serilog"
        """;

    /// <summary>Sets <see cref="Log.Logger"/>: the console, and the JSON file at <paramref name="path"/> (a date is added).</summary>
    public static void Configure(string path) =>
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Console(new ConsoleFormat())
            .WriteTo.File(new CompactJsonFormatter(), path, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7)
            .CreateLogger();

    /// <summary>
    /// <c>[HH:mm:ss LVL] message</c>, one line per event. An expected failure (socket, I/O, TLS, time-out) adds
    /// its type and message to that line; any other exception is printed whole, stack trace included, below it.
    /// The file log keeps every exception whole.
    /// </summary>
    internal sealed class ConsoleFormat : ITextFormatter
    {
        private readonly MessageTemplateTextFormatter _line = new("[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}", CultureInfo.InvariantCulture);

        public static bool IsExpected(Exception e) =>
            e is SocketException or IOException or AuthenticationException or TimeoutException or OperationCanceledException
            || (e.InnerException is { } inner && e.GetType() == typeof(AggregateException) && IsExpected(inner));

        public void Format(LogEvent logEvent, TextWriter output)
        {
            _line.Format(logEvent, output);
            if (logEvent.Exception is { } e)
            {
                if (IsExpected(e))
                {
                    output.Write($" ({e.GetType().Name}: {string.Join(' ', e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))})");
                }
                else
                {
                    output.WriteLine();
                    output.Write(e);
                }
            }

            output.WriteLine();
        }
    }
}
