using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Drogulus.Node.Tests;

/// <summary>
/// PROTOCOL §10 (third edition): the command-line node keeps the values it put with its own publisher key alive
/// (kept-items.json, resumed at start) until <c>unput</c>. The re-puts themselves are specced on virtual time
/// in KeepPublishedActorTests; here the list, its persistence, the command, and the re-put a restarted node makes
/// (on real time: the command-line host runs Akka's real scheduler, so the spec waits for the event with a ceiling).
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

    [Fact]
    public async Task Restarted_node_should_put_its_kept_value_again_with_a_newer_timestamp()
    {
        var a = _directory.Child("a");
        var b = _directory.Child("b");
        await NodeCli.KeygenAsync(a);
        await NodeCli.KeygenAsync(b);
        await using (var alone = await NodeProcess.StartAsync(a))
        {
            var put = await NodeCli.RunAsync("put", "kept", "kept alive", "--data", a);
            Assert.True(put.ExitCode == 3, "put failed: " + put);
            Assert.Equal(0, await alone.TerminateAsync());
        }

        var first = Assert.Single(Timestamps(Path.Combine(a, "items.db"), "kept"));

        // A node that did not exist when the value was put: whatever it holds of it after a's restart came from a.
        // Joining it, a also hands its held copy over (the old timestamp); only the resumed keep-alive signs anew.
        await using var other = await NodeProcess.StartAsync(b);
        await using var restarted = await NodeProcess.StartAsync(a, "--seed", other.Endpoint);
        var held = Path.Combine(b, "items.db");
        using var ceiling = new CancellationTokenSource(NodeCli.SafetyTimeout);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!Timestamps(held, "kept").Any(t => t > first))
        {
            Assert.False(ceiling.IsCancellationRequested, $"b never got kept with a timestamp newer than {first} (holds {string.Join(", ", Timestamps(held, "kept"))}): {restarted.Output()}");
            await tick.WaitForNextTickAsync();
        }
    }

    // The timestamps of the copies named name in an item database (read-only; WAL lets the running node keep writing).
    private static double[] Timestamps(string database, string name)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False;Default Timeout=60");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT timestamp_bits FROM items WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        var timestamps = new List<double>();
        while (reader.Read())
        {
            timestamps.Add(BitConverter.Int64BitsToDouble(reader.GetInt64(0)));
        }

        return timestamps.ToArray();
    }

    private static string[] Names(string path) =>
        JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().Select(r => r.GetProperty("Name").GetString()!).ToArray();
}
