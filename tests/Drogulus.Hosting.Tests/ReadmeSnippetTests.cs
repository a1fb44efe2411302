using System.Text.RegularExpressions;

namespace Drogulus.Hosting.Tests;

/// <summary>
/// Issue 12: every C# snippet of the README is a marked region of a compiled file (samples/Drogulus.HostingSample,
/// which CI also builds against the packed packages), so a snippet cannot rot. A README block is announced by
/// <c>&lt;!-- snippet: PATH#NAME --&gt;</c>; it must equal the regions of PATH between <c>// README: NAME</c> and
/// <c>// README: end</c>, each unindented, joined by a blank line.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Readme_should_announce_the_compiled_source_of_every_csharp_block()
    {
        var readme = File.ReadAllLines(Path.Combine(Root, "README.md"));
        var unannounced = new List<int>();
        for (var i = 0; i < readme.Length; i++)
        {
            if (readme[i].TrimEnd() == "```csharp" && (i == 0 || !SnippetComment().IsMatch(readme[i - 1])))
            {
                unannounced.Add(i + 1);
            }
        }

        Assert.True(unannounced.Count == 0, "README lines with a csharp block not announced by <!-- snippet: PATH#NAME -->: " + string.Join(", ", unannounced));
    }

    [Fact]
    public void Readme_snippets_should_equal_the_marked_regions_of_their_compiled_files()
    {
        var snippets = Snippets(File.ReadAllLines(Path.Combine(Root, "README.md")));

        Assert.NotEmpty(snippets);
        foreach (var (path, name, block) in snippets)
        {
            var source = Path.Combine(Root, path);
            Assert.True(File.Exists(source), $"the README names {path}, which does not exist");
            Assert.Equal(Region(File.ReadAllLines(source), name, path), block);
        }
    }

    [Fact]
    public void Region_should_join_the_parts_of_one_name_unindented_when_a_file_marks_several()
    {
        string[] file =
        [
            "// README: a",
            "using X;",
            "// README: end",
            "class C {",
            "    void M() {",
            "        // README: a",
            "        var x = 1;",
            "            x++;",
            "        // README: end",
            "    }",
            "}",
        ];

        Assert.Equal("using X;\n\nvar x = 1;\n    x++;", Region(file, "a", "test"));
    }

    private static List<(string Path, string Name, string Block)> Snippets(string[] readme)
    {
        var found = new List<(string, string, string)>();
        for (var i = 0; i + 1 < readme.Length; i++)
        {
            var match = SnippetComment().Match(readme[i]);
            if (!match.Success)
            {
                continue;
            }

            Assert.True(readme[i + 1].TrimEnd() == "```csharp", $"README line {i + 1}: a snippet comment must be followed by a ```csharp block");
            var end = Array.FindIndex(readme, i + 2, l => l.TrimEnd() == "```");
            Assert.True(end > 0, $"README line {i + 2}: the block is never closed");
            found.Add((match.Groups[1].Value, match.Groups[2].Value, string.Join("\n", readme[(i + 2)..end])));
        }

        return found;
    }

    private static string Region(string[] lines, string name, string path)
    {
        var parts = new List<string>();
        List<string>? part = null;
        foreach (var line in lines)
        {
            var marker = line.Trim();
            if (part is null && marker == "// README: " + name)
            {
                part = new List<string>();
            }
            else if (part is not null && marker == "// README: end")
            {
                parts.Add(Unindent(part));
                part = null;
            }
            else
            {
                part?.Add(line.TrimEnd());
            }
        }

        Assert.True(part is null, $"{path}: the region '{name}' is never ended");
        Assert.True(parts.Count > 0, $"{path} has no region '{name}'");
        return string.Join("\n\n", parts);
    }

    private static string Unindent(List<string> lines)
    {
        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drogulus.Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Drogulus.Actors.sln) is not above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^<!-- snippet: (\S+)#(\S+) -->\s*$")]
    private static partial Regex SnippetComment();
}
