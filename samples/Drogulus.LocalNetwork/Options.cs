namespace Drogulus.LocalNetwork;

/// <summary>Command-line options of the local network demo.</summary>
internal sealed record Options(int Nodes, int Items, string? JsonPath, int Seed, string Transport)
{
    public const string Usage = "usage: Drogulus.LocalNetwork [--nodes N (default 20)] [--items M (default 100)] [--transport tls|memory (default tls)] [--json FILE] [--seed S]";

    public static Options? Parse(string[] args, out string error)
    {
        var options = new Options(20, 100, null, 1, "tls");
        error = "";
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
                    error = Usage;
                    return null;
                default:
                    error = $"unknown or invalid option '{args[i]}' (--nodes needs at least 2, --items at least 1)\n{Usage}";
                    return null;
            }
        }

        return options;
    }
}
