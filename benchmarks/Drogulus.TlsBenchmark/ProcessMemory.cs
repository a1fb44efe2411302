using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Drogulus.TlsBenchmark;

/// <summary>
/// Where a process's resident memory is (issue 9, memory per connection): the GC heap (live and committed), glibc's
/// malloc heap (bytes in use and bytes free, over all arenas, from <c>mallinfo2</c>; the arena count from
/// <c>malloc_info</c>), resident anonymous and file-backed bytes (<c>/proc/self/status</c>) and threads. OpenSSL's
/// objects are malloc'd, so the malloc heap is where the native side of a TLS connection is; with
/// <c>DOTNET_OPENSSL_MEMORY_DEBUG=1</c> in the environment .NET's OpenSSL shim also counts the bytes OpenSSL holds
/// (its exported <c>CryptoNative_GetMemoryUse</c>, the counter .NET's own tests read). Linux with glibc only;
/// elsewhere the native figures are -1.
/// </summary>
internal sealed partial record ProcessMemory(
    long Resident, long ResidentAnonymous, long ResidentFile, long GcLive, long GcCommitted, long MallocInUse, long MallocFree, long OpenSsl, int Arenas, int Threads)
{
    private const string OpenSslShim = "libSystem.Security.Cryptography.Native.OpenSsl";

    /// <summary>Whether OpenSSL's bytes are counted (<c>DOTNET_OPENSSL_MEMORY_DEBUG=1</c> when the process started).</summary>
    public static bool CountsOpenSsl { get; } = Environment.GetEnvironmentVariable("DOTNET_OPENSSL_MEMORY_DEBUG") == "1";

    /// <summary>A snapshot after a full, compacting collection.</summary>
    public static ProcessMemory Take()
    {
        var live = Measure.ManagedAfterFullGc();
        var info = GC.GetGCMemoryInfo();
        var (inUse, free) = Malloc();
        var status = File.Exists("/proc/self/status") ? File.ReadAllText("/proc/self/status") : "";
        return new ProcessMemory(
            StatusKib(status, "VmRSS") * 1024, StatusKib(status, "RssAnon") * 1024, StatusKib(status, "RssFile") * 1024, live,
            info.TotalCommittedBytes, inUse, free, OpenSslBytes(), ArenaCount(), (int)StatusKib(status, "Threads"));
    }

    /// <summary>Returns glibc's free heap pages to the system (<c>malloc_trim(0)</c>); false where there is no glibc.</summary>
    public static bool Trim()
    {
        try
        {
            return malloc_trim(0) != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>This snapshot minus <paramref name="before"/>, divided by <paramref name="ends"/>: bytes per connection end (or per node).</summary>
    public Dictionary<string, double> PerEnd(ProcessMemory before, double ends) => new()
    {
        ["resident"] = (Resident - before.Resident) / ends,
        ["resident_anonymous"] = (ResidentAnonymous - before.ResidentAnonymous) / ends,
        ["gc_live"] = (GcLive - before.GcLive) / ends,
        ["gc_committed"] = (GcCommitted - before.GcCommitted) / ends,
        ["malloc_in_use"] = (MallocInUse - before.MallocInUse) / ends,
        ["malloc_free"] = (MallocFree - before.MallocFree) / ends,
        ["openssl"] = CountsOpenSsl ? (OpenSsl - before.OpenSsl) / ends : -1,
    };

    /// <summary>One line: the per-end figures in KiB, with the arena and thread counts of this snapshot.</summary>
    public string Describe(ProcessMemory before, double ends)
    {
        var d = PerEnd(before, ends);
        var other = d["resident_anonymous"] - d["gc_committed"] - d["malloc_in_use"] - d["malloc_free"];
        return $"resident {d["resident"] / 1024:F1} KiB (anonymous {d["resident_anonymous"] / 1024:F1}) = GC committed {d["gc_committed"] / 1024:F1} (live {d["gc_live"] / 1024:F1})"
            + $" + malloc in use {d["malloc_in_use"] / 1024:F1}{(CountsOpenSsl ? $" (OpenSSL {d["openssl"] / 1024:F1})" : "")} + malloc free {d["malloc_free"] / 1024:F1} + other {other / 1024:F1}; {Arenas} arenas, {Threads} threads";
    }

    private static long StatusKib(string status, string field)
    {
        var match = Regex.Match(status, "^" + field + @":\s+(\d+)", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    private static (long InUse, long Free) Malloc()
    {
        try
        {
            var m = mallinfo2();
            return ((long)(m.Uordblks + m.Hblkhd), (long)m.Fordblks);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (-1, -1);
        }
    }

    private static long OpenSslBytes()
    {
        if (!CountsOpenSsl)
        {
            return -1;
        }

        // Older shims write ints, newer ones 64-bit counts: start from zero so that either reads right (little-endian).
        ulong total = 0, count = 0;
        CryptoNative_GetMemoryUse(ref total, ref count);
        return (long)total;
    }

    private static int ArenaCount()
    {
        var path = Path.Combine(Path.GetTempPath(), $"malloc-info-{Environment.ProcessId}.xml");
        try
        {
            var file = fopen(path, "w");
            if (file == IntPtr.Zero)
            {
                return -1;
            }

            malloc_info(0, file);
            fclose(file);
            return Regex.Matches(File.ReadAllText(path), "<heap nr=").Count;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [LibraryImport("libc")]
    private static partial MallInfo2 mallinfo2();

    [LibraryImport(OpenSslShim)]
    private static partial int CryptoNative_GetMemoryUse(ref ulong totalUsed, ref ulong allocationCount);

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc")]
    private static partial int malloc_info(int options, IntPtr stream);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr fopen(string path, string mode);

    [LibraryImport("libc")]
    private static partial int fclose(IntPtr stream);
}
