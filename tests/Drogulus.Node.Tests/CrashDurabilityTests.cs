using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Drogulus.Node.Tests;

/// <summary>
/// A node answers a put on its control channel once the item is in items.db, so every put it acknowledged must
/// survive a SIGKILL at any instant: the spec streams puts, kills the node while more are in flight, restarts it
/// on the same data directory and reads every acknowledged item back.
/// </summary>
public sealed class CrashDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private const int AcknowledgedBeforeKill = 50;
    private const int Writers = 4;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Node_should_serve_every_acknowledged_put_when_restarted_after_sigkill()
    {
        var data = _directory.Child("node");
        await NodeCli.KeygenAsync(data);
        using var publisher = PublisherKey.Generate();
        var acknowledged = new ConcurrentDictionary<Key, string>();
        var unanswered = 0;

        await using (var node = await NodeProcess.StartAsync(data))
        {
            using var client = Client(node.ControlPort);
            // One writer wins the right to kill; the others keep sending until the node is gone.
            var killing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var next = -1;

            async Task Write()
            {
                while (!killed.Task.IsCompleted)
                {
                    var index = Interlocked.Increment(ref next);
                    var value = $"value {index}";
                    // Timestamped now: an item older than max-item-age is refused (PROTOCOL §3 rule 3).
                    var item = SignedItem.Create(publisher, $"item-{index}", value, SignedItem.UnixSeconds(DateTimeOffset.UtcNow), 0);
                    using var body = new ByteArrayContent(MessageCodec.Encode(new StoreMessage("", default, 0, ProtocolVersion.Current, item)));
                    body.Headers.ContentType = new MediaTypeHeaderValue("application/x-msgpack");
                    try
                    {
                        using var response = await client.PostAsync("/items", body);
                        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                        Assert.True(json.RootElement.GetProperty("stored").GetInt32() >= 1, json.RootElement.ToString());
                        acknowledged[item.Key] = value;
                    }
                    catch (Exception e) when (killing.Task.IsCompleted && e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        // In flight when the node died: never acknowledged, so nothing is owed.
                        Interlocked.Increment(ref unanswered);
                        return;
                    }

                    if (acknowledged.Count >= AcknowledgedBeforeKill && killing.TrySetResult())
                    {
                        await node.KillAsync();
                        killed.SetResult();
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(Write))).WaitAsync(NodeCli.SafetyTimeout);
        }

        Assert.True(acknowledged.Count >= AcknowledgedBeforeKill);
        output.WriteLine($"{acknowledged.Count} puts acknowledged before the kill, {unanswered} cut off by it");
        await using (var restarted = await NodeProcess.StartAsync(data))
        {
            using var client = Client(restarted.ControlPort);
            foreach (var (key, value) in acknowledged)
            {
                using var response = await client.GetAsync("/items/" + key);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"acknowledged item {key} ({value}) is missing after the kill: {response.StatusCode}");
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal(value, json.RootElement.GetProperty("value").GetString());
            }

            Assert.Equal(0, await restarted.TerminateAsync());
        }

        using var check = new SqliteConnection($"Data Source={Path.Combine(data, "items.db")};Pooling=False");
        check.Open();
        using var command = check.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", command.ExecuteScalar());
    }

    private static HttpClient Client(int port) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = NodeCli.SafetyTimeout };
}
