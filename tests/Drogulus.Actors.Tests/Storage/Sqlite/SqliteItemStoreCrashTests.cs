using System.Diagnostics;
using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Identity;
using Drogulus.StoreWriter;
using Microsoft.Data.Sqlite;

namespace Drogulus.Actors.Tests.Storage.Sqlite;

/// <summary>
/// A node answers <c>pong</c> to <c>store</c> once <see cref="SqliteItemStore.Upsert"/> returns, so every write
/// it acknowledged must be in the file after the process dies at any instant. A child process writes rows and
/// acknowledges each on stdout; the spec kills it (SIGKILL on Unix) mid-stream and reopens the file.
/// </summary>
public sealed class SqliteItemStoreCrashTests : IDisposable
{
    private const int AcknowledgedBeforeKill = 50;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task SqliteItemStore_should_hold_every_acknowledged_row_when_writer_is_killed()
    {
        var dbPath = _directory.File("killed.db");
        // Only a guard against a hung child; nothing is asserted about time.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var acknowledged = new Dictionary<int, Key>();
        using (var writer = StartWriter(dbPath))
        {
            // Drained from the start, so a chatty child can never block on a full stderr pipe.
            var errors = writer.StandardError.ReadToEndAsync(guard.Token);
            try
            {
                while (acknowledged.Count < AcknowledgedBeforeKill)
                {
                    var line = await writer.StandardOutput.ReadLineAsync(guard.Token);
                    if (line is null)
                    {
                        await writer.WaitForExitAsync(guard.Token);
                        Assert.Fail($"The writer stopped early with exit code {writer.ExitCode}: {await errors}");
                    }

                    Record(line, acknowledged);
                }

                writer.Kill(entireProcessTree: true);
                // Lines printed before the kill were acknowledged too; a line cut by the kill does not parse.
                while (await writer.StandardOutput.ReadLineAsync(guard.Token) is { } line)
                {
                    Record(line, acknowledged);
                }

                await writer.WaitForExitAsync(guard.Token);
            }
            finally
            {
                if (!writer.HasExited)
                {
                    writer.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.True(acknowledged.Count >= AcknowledgedBeforeKill);
        using (var check = new SqliteConnection($"Data Source={dbPath};Pooling=False"))
        {
            check.Open();
            using var command = check.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", command.ExecuteScalar());
        }

        using var store = SqliteItemStore.Open(dbPath);
        foreach (var (index, key) in acknowledged)
        {
            var expected = WriterItems.Row(index);
            Assert.Equal(expected.Key, key);
            Assert.Equal(expected, store.Get(key));
        }

        // Rows written but not yet acknowledged may be there as well; nothing else may.
        Assert.InRange(store.Count(), acknowledged.Count, acknowledged.Keys.Max() + 2);
    }

    private static void Record(string line, Dictionary<int, Key> acknowledged)
    {
        var parts = line.Split(' ');
        if (parts.Length == 3 && parts[0] == "ack"
            && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var index)
            && Key.TryParse(parts[2], out var key))
        {
            acknowledged[index] = key;
        }
    }

    private static Process StartWriter(string dbPath)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WriterDll());
        start.ArgumentList.Add(dbPath);
        return Process.Start(start) ?? throw new InvalidOperationException("The store writer did not start.");
    }

    /// <summary>
    /// The writer's build output, beside this assembly's: tests/Drogulus.Actors.Tests/bin/Config/tfm/ becomes
    /// tests/Drogulus.StoreWriter/bin/Config/tfm/. The test project builds it through a ProjectReference.
    /// </summary>
    private static string WriterDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var testsFolder = configuration.Parent!.Parent!.Parent!;
        var dll = Path.Combine(testsFolder.FullName, "Drogulus.StoreWriter", "bin", configuration.Name, tfm.Name, "Drogulus.StoreWriter.dll");
        Assert.True(File.Exists(dll), $"The store writer was not built at {dll}.");
        return dll;
    }
}
