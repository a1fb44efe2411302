namespace Drogulus.Node;

/// <summary>
/// Finds a brace or bracket that Akka's HOCON parser lets pass or chokes on: an object or array opened and never
/// closed (the parser ends an object at the end of the file, and an array closed by <c>}</c> makes it loop for
/// ever), or a <c>}</c> or <c>]</c> that closes nothing. Quoted strings and comments are skipped. Run it before
/// the parser. Also turns the parser's "at position N" into a line and column.
/// </summary>
internal static class HoconBraces
{
    private static readonly System.Text.RegularExpressions.Regex Position = new(@"at position (\d+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private static readonly System.Text.RegularExpressions.Regex Substitution = new(@"Unresolved substitution: (\S+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// The parser's message with its character position given as a line and column, or with the line of an
    /// unresolved substitution, so that the user is pointed at the line.
    /// </summary>
    public static string Locate(string text, string message)
    {
        var position = Position.Match(message);
        if (position.Success && int.TryParse(position.Groups[1].Value, out var offset) && offset >= 0 && offset <= text.Length)
        {
            var line = 1 + text.AsSpan(0, offset).Count('\n');
            var column = offset - (text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1) + 1;
            if (offset > 0 && text[offset - 1] == '\n')
            {
                column = 1;
            }

            return message.Remove(position.Index, position.Length).Insert(position.Index, $"at line {line}, column {column}");
        }

        var substitution = Substitution.Match(message);
        if (substitution.Success)
        {
            var name = substitution.Groups[1].Value;
            var lines = text.Split('\n');
            var at = Array.FindIndex(lines, l => l.Contains("${" + name, StringComparison.Ordinal) || l.Contains("${?" + name, StringComparison.Ordinal));
            if (at >= 0)
            {
                return $"line {at + 1}: {message}";
            }
        }

        return message;
    }

    /// <summary>A sentence naming the line of the first unbalanced brace or bracket, or null when every one is paired.</summary>
    public static string? FindUnbalanced(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '"')
            {
                i = SkipString(text, i, ref line);
            }
            else
            {
                if (c is '{' or '[')
                {
                    open.Push((c, line));
                }
                else if (c is '}' or ']')
                {
                    var opener = c == '}' ? '{' : '[';
                    if (!open.TryPop(out var top))
                    {
                        return c == '}' ? $"line {line}: '}}' closes no block" : $"line {line}: ']' closes no list";
                    }

                    if (top.Bracket != opener)
                    {
                        return top.Bracket == '['
                            ? $"line {top.Line}: the list opened with '[' here is never closed"
                            : $"line {top.Line}: the block opened with '{{' here is never closed";
                    }
                }

                i++;
            }
        }

        if (open.Count == 0)
        {
            return null;
        }

        var first = open.Last();
        return first.Bracket == '['
            ? $"line {first.Line}: the list opened with '[' here is never closed"
            : $"line {first.Line}: the block opened with '{{' here is never closed";
    }

    // Index just past the string starting at start ("..." with escapes, or """...""" without).
    private static int SkipString(string text, int start, ref int line)
    {
        var triple = string.CompareOrdinal(text, start, "\"\"\"", 0, 3) == 0;
        var i = start + (triple ? 3 : 1);
        while (i < text.Length)
        {
            if (triple && string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                return i + 3;
            }

            var c = text[i];
            if (c == '\n')
            {
                line++;
                if (!triple)
                {
                    return i;
                }
            }
            else if (!triple && c == '\\')
            {
                i++;
            }
            else if (!triple && c == '"')
            {
                return i + 1;
            }

            i++;
        }

        return i;
    }
}
