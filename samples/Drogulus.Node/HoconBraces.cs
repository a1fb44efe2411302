namespace Drogulus.Node;

/// <summary>
/// Finds a brace that Akka's HOCON parser lets pass: an object opened and never closed (the parser ends it at
/// the end of the file) or a <c>}</c> that closes nothing. Quoted strings and comments are skipped.
/// </summary>
internal static class HoconBraces
{
    /// <summary>A sentence naming the line of the first unbalanced brace, or null when every brace is paired.</summary>
    public static string? FindUnbalanced(string text)
    {
        var open = new Stack<int>();
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
                if (c == '{')
                {
                    open.Push(line);
                }
                else if (c == '}' && !open.TryPop(out _))
                {
                    return $"line {line}: '}}' closes no block";
                }

                i++;
            }
        }

        return open.Count > 0 ? $"line {open.Last()}: the block opened with '{{' here is never closed" : null;
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
