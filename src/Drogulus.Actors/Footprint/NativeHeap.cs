using System.Runtime.InteropServices;

namespace Drogulus.Actors.Footprint;

/// <summary>
/// Returns free memory to the system: a full, blocking, compacting collection in the runtime's aggressive mode
/// (which also releases the heap's free regions), then glibc's <c>malloc_trim(0)</c>, which gives back the
/// free pages of every malloc arena (OpenSSL's buffers of closed connections are malloc'd; glibc keeps them).
/// </summary>
internal static class NativeHeap
{
    private static bool _noMallocTrim;

    /// <summary>Trims both heaps; says whether malloc_trim ran (false off Linux and on a libc without it, such as musl).</summary>
    public static bool Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (!OperatingSystem.IsLinux() || _noMallocTrim)
        {
            return false;
        }

        try
        {
            malloc_trim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _noMallocTrim = true;
            return false;
        }
    }

    // DllImport rather than LibraryImport: the signature is blittable, and this assembly compiles no unsafe code.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
