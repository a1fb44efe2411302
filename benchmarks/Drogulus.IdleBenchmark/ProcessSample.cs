using System.Globalization;

namespace Drogulus.IdleBenchmark;

/// <summary>
/// One reading of a process from /proc: resident and proportional set size (<c>smaps_rollup</c>: shared pages
/// divided among the processes that map them), anonymous resident bytes, threads, and the CPU time it has used
/// (user + system, <c>stat</c> fields 14 and 15, in clock ticks of 1/100 s).
/// </summary>
internal sealed record ProcessSample(DateTime At, long RssKib, long PssKib, long AnonKib, int Threads, long CpuTicks)
{
    private const double TicksPerSecond = 100;

    public static ProcessSample? Read(int pid)
    {
        try
        {
            var rollup = File.ReadAllLines($"/proc/{pid}/smaps_rollup");
            var status = File.ReadAllLines($"/proc/{pid}/status");
            var cpu = CpuTicksOf(pid);
            return new ProcessSample(DateTime.UtcNow, Kib(rollup, "Rss"), Kib(rollup, "Pss"), Kib(rollup, "Pss_Anon"), (int)Kib(status, "Threads"), cpu);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>CPU time (user + system) a process has used, in seconds; NaN when it is gone.</summary>
    public static double CpuSecondsOf(int pid)
    {
        try
        {
            return CpuTicksOf(pid) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    private static long CpuTicksOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) may hold spaces; the fields after it start past its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>CPU time used since the process started, in seconds.</summary>
    public double CpuSeconds => CpuTicks / TicksPerSecond;

    /// <summary>Share of one core used between <paramref name="earlier"/> and this sample, in percent.</summary>
    public double CpuPercentSince(ProcessSample earlier) =>
        (CpuTicks - earlier.CpuTicks) / TicksPerSecond / (At - earlier.At).TotalSeconds * 100;

    private static long Kib(string[] lines, string field) =>
        lines.Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .FirstOrDefault();
}
