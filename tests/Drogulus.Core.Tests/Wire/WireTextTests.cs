using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Wire;

public sealed class WireTextTests
{
    [Theory]
    [InlineData("launch", "launch")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nINFO forged line", "a\\r\\nINFO forged line")]
    [InlineData("\u001b[31mred", "\\x1b[31mred")]
    [InlineData("nul\0del\u007f", "nul\\x00del\\x7f")]
    [InlineData("c1\u0085", "c1\\x85")]
    [InlineData("bidi\u202eevil", "bidi\\u202eevil")]
    [InlineData("zw\u200bsp\u2028ls", "zw\\u200bsp\\u2028ls")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("ünïcödé ✓", "ünïcödé ✓")]
    [InlineData("emoji 😀", "emoji 😀")]
    public void ForLog_should_escape_every_invisible_or_line_breaking_character_when_text_comes_from_the_wire(string text, string expected)
    {
        Assert.Equal(expected, WireText.ForLog(text));
    }

    [Fact]
    public void ForLog_should_cut_to_120_characters_with_a_marker_when_the_text_is_long()
    {
        var logged = WireText.ForLog(new string('x', 1_000_000));

        Assert.StartsWith(new string('x', 120) + "…", logged, StringComparison.Ordinal);
        Assert.Contains("+999880", logged, StringComparison.Ordinal);
        Assert.True(logged.Length < 150);
    }

    [Fact]
    public void ForLog_should_never_emit_a_control_character_when_given_random_text()
    {
        var random = new Random(17);
        for (var run = 0; run < 200; run++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 400)).Select(_ => (char)random.Next(0, 0x10000)).ToArray());

            var logged = WireText.ForLog(text);

            Assert.DoesNotContain(logged, c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u202e');
            Assert.True(logged.Length <= WireText.MaxLength + 8 + 30);
        }
    }

    [Fact]
    public void ForLog_should_escape_a_lone_surrogate_when_the_text_is_not_valid_utf16()
    {
        // Attribute arguments cannot carry a lone surrogate (they are stored as UTF-8), hence a Fact.
        Assert.Equal("lone \\ud800 surrogate", WireText.ForLog("lone " + (char)0xd800 + " surrogate"));
    }

    [Fact]
    public void ForLog_should_say_null_when_there_is_no_text()
    {
        Assert.Equal("(null)", WireText.ForLog(null));
    }
}
