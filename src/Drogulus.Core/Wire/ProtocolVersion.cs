namespace Drogulus.Core.Wire;

/// <summary>
/// The protocol version string (PROTOCOL §1): <c>"1.0"</c>. Messages whose major number differs are
/// answered with error 5 (Unsupported protocol); minor versions may only add fields, so any <c>1.x</c> is accepted.
/// </summary>
public static class ProtocolVersion
{
    /// <summary>The version this library speaks.</summary>
    public const string Current = "1.0";

    /// <summary>The major number of <see cref="Current"/>.</summary>
    public const int CurrentMajor = 1;

    /// <summary>
    /// Reads the major number: the decimal digits before the first <c>.</c> (or the whole text when there
    /// is no dot). False when that part is empty, not all ASCII digits, or longer than 9 digits.
    /// </summary>
    public static bool TryGetMajor(string? version, out int major)
    {
        major = 0;
        if (version is null)
        {
            return false;
        }

        var dot = version.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? version.AsSpan() : version.AsSpan(0, dot);
        if (digits.Length is 0 or > 9)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            major = (major * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>Whether a peer speaking <paramref name="version"/> can be understood (same major number).</summary>
    public static bool IsSupported(string? version) => TryGetMajor(version, out var major) && major == CurrentMajor;
}
