namespace Drogulus.TlsBenchmark;

/// <summary>Process figures: managed heap after a full collection, resident set size, open file descriptors.</summary>
internal static class Measure
{
    public static long ManagedAfterFullGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static long ResidentBytes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    public static int OpenDescriptors()
    {
        try
        {
            return Directory.GetFiles("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>Samples the open descriptors every 200 ms and keeps the highest count until disposed.</summary>
    public sealed class DescriptorPeak : IDisposable
    {
        private readonly Timer _timer;
        private int _peak;

        public DescriptorPeak() => _timer = new Timer(_ => Sample(), null, 0, 200);

        public int Peak => Math.Max(Volatile.Read(ref _peak), OpenDescriptors());

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var now = OpenDescriptors();
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
        }
    }
}
