namespace Drogulus.LocalNetwork;

/// <summary>Command-line options of the local network demo.</summary>
internal sealed record Options(int Nodes, int Items, string? JsonPath, int Seed, string Transport, int K, int UpdateItems)
{
    public const string Usage =
        "usage: Drogulus.LocalNetwork [--nodes N (default 20)] [--items M (default 100)] [--k K (default 8)] " +
        "[--update-items U (default 5; 0 skips the update scenario)] [--transport tls|memory (default tls)] [--json FILE] [--seed S]";

    /// <summary>The options, or null with <paramref name="error"/> set; <paramref name="help"/> when usage was asked for.</summary>
    public static Options? Parse(string[] args, out string error, out bool help)
    {
        // k below the node count: most readers hold no copy, so every get runs a real lookup.
        var options = new Options(20, 100, null, 1, "tls", 8, 5);
        error = "";
        help = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--nodes" when int.TryParse(value, out var n) && n >= 2:
                    options = options with { Nodes = n };
                    i++;
                    break;
                case "--items" when int.TryParse(value, out var m) && m >= 1:
                    options = options with { Items = m };
                    i++;
                    break;
                case "--k" when int.TryParse(value, out var k) && k is >= 1 and <= 1000:
                    options = options with { K = k };
                    i++;
                    break;
                case "--update-items" when int.TryParse(value, out var u) && u >= 0:
                    options = options with { UpdateItems = u };
                    i++;
                    break;
                case "--seed" when int.TryParse(value, out var s):
                    options = options with { Seed = s };
                    i++;
                    break;
                case "--transport" when value is "tls" or "memory":
                    options = options with { Transport = value };
                    i++;
                    break;
                case "--json" when !string.IsNullOrWhiteSpace(value):
                    options = options with { JsonPath = value };
                    i++;
                    break;
                case "--help" or "-h":
                    help = true;
                    error = Usage;
                    return null;
                default:
                    error = $"unknown or invalid option '{args[i]}' (--nodes needs at least 2, --items at least 1, --k 1 to 1000)\n{Usage}";
                    return null;
            }
        }

        if (options.JsonPath is { } path && JsonPathProblem(path) is { } problem)
        {
            error = problem;
            return null;
        }

        return options;
    }

    // Checked before any node starts: a run of minutes must not end in a crash on writing its figures.
    private static string? JsonPathProblem(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"--json {path}: not a usable path ({e.Message})";
        }

        if (Directory.Exists(full))
        {
            return $"--json {path}: is a folder; give a file name";
        }

        var folder = Path.GetDirectoryName(full);
        return folder is not null && !Directory.Exists(folder) ? $"--json {path}: the folder {folder} does not exist" : null;
    }
}
