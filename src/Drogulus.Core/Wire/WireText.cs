using System.Globalization;
using System.Text;

namespace Drogulus.Core.Wire;

/// <summary>
/// Makes text that came from the wire safe to log: a peer must not be able to write the node's log. Control
/// characters (C0, DEL, C1), line and paragraph separators, bidi controls and other invisible format
/// characters become visible escapes (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\x1b</c>, <c>\u202e</c>), and the
/// result is cut to <see cref="MaxLength"/> characters with a marker saying how long the original was.
/// </summary>
public static class WireText
{
    /// <summary>Longest text written for one value from the wire, marker excluded.</summary>
    public const int MaxLength = 120;

    /// <summary>The text escaped and truncated for a log line; <c>(null)</c> for null.</summary>
    public static string ForLog(string? text)
    {
        if (text is null)
        {
            return "(null)";
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxLength) + 16);
        var i = 0;
        while (i < text.Length && builder.Length < MaxLength)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                // A valid pair is one printable character; a lone surrogate is escaped like any other oddity.
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                    && !IsInvisible(CharUnicodeInfo.GetUnicodeCategory(text, i)))
                {
                    builder.Append(c).Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                builder.Append(Escape(c));
            }
            else if (NeedsEscape(c))
            {
                builder.Append(Escape(c));
            }
            else
            {
                builder.Append(c);
            }

            i++;
        }

        if (i < text.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"…(+{text.Length - i} chars)");
        }

        return builder.ToString();
    }

    /// <summary>Error details from the wire as one escaped, truncated log value (<c>key: value, ...</c>).</summary>
    public static string Describe(IReadOnlyDictionary<string, string> details)
    {
        ArgumentNullException.ThrowIfNull(details);
        return ForLog(string.Join(", ", details.Take(MaxLength).Select(d => $"{d.Key}: {d.Value}")));
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is '\\' || (c >= 0x7f && c <= 0x9f) || IsInvisible(CharUnicodeInfo.GetUnicodeCategory(c));

    // Format (bidi overrides, zero-width joiners), line and paragraph separators, unassigned and private-use
    // code points: nothing a reader of the log can see as what it is.
    private static bool IsInvisible(UnicodeCategory category) => category is UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Control
        or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    private static string Escape(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\\' => "\\\\",
        < (char)0x100 => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
    };
}
