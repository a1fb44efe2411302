namespace Drogulus.Actors.Network.Tls;

/// <summary>What a transport reads of its process's file descriptors when it joins admission (Linux; nothing elsewhere).</summary>
internal static class ProcessDescriptors
{
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
}
