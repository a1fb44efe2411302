using System.Text.Json;

namespace Drogulus.Node.Tests;

/// <summary>
/// PROTOCOL §10 (third edition): the command-line node keeps the values it put with its own publisher key alive
/// (kept-items.json, resumed at start) until <c>unput</c>. The re-puts themselves are specced on virtual time
/// in KeepPublishedActorTests; here the list, its persistence and the command.
/// </summary>
public sealed class KeepPublishedCliTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Node_should_keep_its_own_put_published_across_a_restart_until_unput()
    {
        var a = _directory.Child("a");
        await NodeCli.KeygenAsync(a);
        var kept = Path.Combine(a, "kept-items.json");
        await using (var node = await NodeProcess.StartAsync(a))
        {
            var put = await NodeCli.RunAsync("put", "kept", "kept alive", "--data", a);
            // A lone node stores only on itself: put says so with its documented exit code 3.
            Assert.True(put.ExitCode == 3, "put failed: " + put);
            var dying = await NodeCli.RunAsync("put", "dying", "gone in 2h", "--data", a, "--expires", "2h");
            Assert.True(dying.ExitCode == 3, "put failed: " + dying);

            Assert.Equal(["kept"], Names(kept));
            Assert.Equal(0, await node.TerminateAsync());
        }

        await using var restarted = await NodeProcess.StartAsync(a);
        var unput = await NodeCli.RunAsync("unput", "kept", "--data", a);
        Assert.True(unput.ExitCode == 0, "unput failed: " + unput);
        Assert.Empty(Names(kept));

        var again = await NodeCli.RunAsync("unput", "kept", "--data", a);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("no value of that name is kept published", again.StandardError, StringComparison.Ordinal);
    }

    private static string[] Names(string path) =>
        JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().Select(r => r.GetProperty("Name").GetString()!).ToArray();
}
