using System.CommandLine;

namespace Drogulus.Node;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public const string PassphraseVariable = "DROGULUS_PASSPHRASE";

    public static Option<string> Data() => new("--data")
    {
        Description = "The node's data directory (identity, keys, items, routing table, logs).",
        DefaultValueFactory = _ => "drogulus-data",
    };

    public static Option<string?> Passphrase() => new("--passphrase")
    {
        Description = $"Passphrase of the private keys; defaults to the {PassphraseVariable} environment variable.",
    };

    public static string RequirePassphrase(string? given)
    {
        var passphrase = given ?? Environment.GetEnvironmentVariable(PassphraseVariable);
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new CliException($"a passphrase is required: --passphrase or the {PassphraseVariable} environment variable");
        }

        return passphrase;
    }

    /// <summary>Parses <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>7d</c>.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        if (text.Length >= 2 && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }

        throw new CliException($"'{text}' is not a duration such as 30s, 10m, 2h or 7d");
    }
}
