using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Node;

/// <summary><c>put</c>, <c>get</c> and <c>status</c>: talk to a running node over its local control channel.</summary>
internal static class ClientCommands
{
    // Printed for people, not embedded in HTML: PEM's '+' and '/' stay readable.
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Put()
    {
        var data = CommonOptions.Data();
        var passphrase = CommonOptions.Passphrase();
        var name = new Argument<string>("NAME") { Description = "The name of the value (its key is derived from your public key and this name)." };
        var value = new Argument<string?>("VALUE")
        {
            Description = "The value, stored as a msgpack string; '-' reads it from standard input (see --file).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var file = new Option<string?>("--file") { Description = "Read the value (UTF-8 text, stored as a msgpack string) from this file instead." };
        var expires = new Option<string?>("--expires") { Description = "Lifetime such as 30m, 2h or 7d; never expires when absent." };
        var meta = new Option<string[]>("--meta") { Description = "Metadata as k=v; repeat for more.", AllowMultipleArgumentsPerToken = false };
        var command = new Command(
            "put",
            $"Sign a value with your publisher key and store it in the network; exit code {StoredOnlyLocally} (and a warning) when only this node stored it because no peer was reachable.")
        { name, value, file, data, passphrase, expires, meta };
        command.SetAction(async (result, cancel) =>
        {
            var files = new NodeFiles(result.GetRequiredValue(data));
            var control = files.ReadControl();
            var maxItemSize = await MaxItemSize(control, cancel);
            var valueMsgpack = await PutValue.ReadAsync(result.GetValue(value), result.GetValue(file), maxItemSize, cancel);
            using var publisher = files.LoadPublisher(CommonOptions.RequirePassphrase(result.GetValue(passphrase)));
            var now = DateTimeOffset.UtcNow;
            var lifetime = result.GetValue(expires) is { } text ? CommonOptions.ParseDuration(text) : (TimeSpan?)null;
            var item = SignedItem.Create(
                publisher,
                result.GetRequiredValue(name),
                valueMsgpack,
                SignedItem.UnixSeconds(now),
                lifetime is { } l ? SignedItem.UnixSeconds(now + l) : 0,
                ParseMeta(result.GetValue(meta) ?? []));
            var body = new ByteArrayContent(MessageCodec.Encode(new StoreMessage("", default, 0, ProtocolVersion.Current, item)));
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-msgpack");
            var stored = await Send(control, client => client.PostAsync("/items", body, cancel), cancel);
            if (stored.TryGetProperty("storedOnlyLocally", out var alone) && alone.GetBoolean())
            {
                // Not a failure (the node holds the item and republishes it), but not what a put is for either.
                Console.Error.WriteLine("drogulus-node: warning: only this node stored the item; no peer was reachable (it is stored again at peers by the republish pass once the node has some)");
                return StoredOnlyLocally;
            }

            return 0;
        });
        return command;
    }

    public static Command Get()
    {
        var data = CommonOptions.Data();
        var publicKeyFile = new Argument<string?>("PUBLICKEYFILE") { Description = "The publisher's public key PEM file.", Arity = ArgumentArity.ZeroOrOne };
        var name = new Argument<string?>("NAME") { Description = "The name of the value.", Arity = ArgumentArity.ZeroOrOne };
        var key = new Option<string?>("--key") { Description = "The item key as 128 hexadecimal digits, instead of PUBLICKEYFILE NAME." };
        var latest = new Option<bool>("--latest") { Description = "Read the newest copy among the k closest nodes (and repair stale holders) instead of the first copy found." };
        var command = new Command("get", "Read a signed value from the network.") { publicKeyFile, name, data, key, latest };
        command.SetAction(async (result, cancel) =>
        {
            var files = new NodeFiles(result.GetRequiredValue(data));
            Key itemKey;
            if (result.GetValue(key) is { } hex)
            {
                if (!Key.TryParse(hex, out itemKey))
                {
                    throw new CliException("--key takes 128 hexadecimal digits");
                }
            }
            else if (result.GetValue(publicKeyFile) is { } path && result.GetValue(name) is { } itemName)
            {
                itemKey = Key.For(NodeFiles.ReadText(path, "public key file"), itemName);
            }
            else
            {
                throw new CliException("give PUBLICKEYFILE NAME, or --key HEX");
            }

            var control = files.ReadControl();
            var query = result.GetValue(latest) ? "?latest=true" : "";
            await Send(control, client => client.GetAsync("/items/" + itemKey + query, cancel), cancel);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// <c>unput NAME</c>: the node stops putting the value again (PROTOCOL §10); the copies in the network age out
    /// at <c>max-item-age</c> after their last put.
    /// </summary>
    public static Command Unput()
    {
        var data = CommonOptions.Data();
        var name = new Argument<string>("NAME") { Description = "The name of a value this node keeps published." };
        var command = new Command("unput", "Stop keeping a value published: the node no longer puts it again, and its copies age out at max-item-age.") { name, data };
        command.SetAction(async (result, cancel) =>
        {
            var control = new NodeFiles(result.GetRequiredValue(data)).ReadControl();
            await Send(control, client => client.DeleteAsync("/kept/" + Uri.EscapeDataString(result.GetRequiredValue(name)), cancel), cancel);
            return 0;
        });
        return command;
    }

    /// <summary>The exit code of <c>put</c> when the item is held by the local node alone (no peer reachable); 1 is any failure.</summary>
    public const int StoredOnlyLocally = 3;

    /// <summary>The exit code of <c>status</c> for a node that answers but is unhealthy (1 is any failure to ask).</summary>
    public const int Unhealthy = 2;

    public static Command Status()
    {
        var data = CommonOptions.Data();
        var command = new Command(
            "status",
            $"Show a running node's id, endpoint, size and health; exit code {Unhealthy} when it is unhealthy (it cannot reach the network, its store cannot be written or is full).")
        { data };
        command.SetAction(async (result, cancel) =>
        {
            var control = new NodeFiles(result.GetRequiredValue(data)).ReadControl();
            var status = await Send(control, client => client.GetAsync("/status", cancel), cancel, print: false);

            // /health answers 503 when the node is unhealthy: that is an answer here, not a failure.
            var health = await Send(control, client => client.GetAsync("/health", cancel), cancel, print: false, accept: HttpStatusCode.ServiceUnavailable);
            var both = JsonSerializer.SerializeToNode(status)!.AsObject();
            both["health"] = JsonSerializer.SerializeToNode(health);
            Console.WriteLine(both.ToJsonString(Pretty));
            if (!health.GetProperty("healthy").GetBoolean())
            {
                var reasons = health.GetProperty("reasons").EnumerateArray().Select(r => r.GetString());
                Console.Error.WriteLine("drogulus-node: the node is unhealthy: " + string.Join("; ", reasons));
                return Unhealthy;
            }

            return 0;
        });
        return command;
    }

    // The node's max-item-size, from its status: a value is refused here, before it is signed and sent.
    private static async Task<int> MaxItemSize(ControlEndpoint control, CancellationToken cancel)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{control.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var status = JsonDocument.Parse(await client.GetStringAsync("/status", cancel));
            return status.RootElement.GetProperty("maxItemSize").GetInt32();
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"no node answers on 127.0.0.1:{control.Port} (pid {control.ProcessId}); is it running? ({e.Message})");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CliException($"the node on 127.0.0.1:{control.Port} did not say its max-item-size ({e.Message})");
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new CliException($"the node on 127.0.0.1:{control.Port} did not answer in time");
        }
    }

    private static Dictionary<string, string> ParseMeta(string[] pairs)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new CliException($"--meta takes k=v, not '{pair}'");
            }

            meta[pair[..eq]] = pair[(eq + 1)..];
        }

        return meta;
    }

    private static async Task<JsonElement> Send(ControlEndpoint control, Func<HttpClient, Task<HttpResponseMessage>> call, CancellationToken cancel, bool print = true, HttpStatusCode? accept = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{control.Port}"), Timeout = TimeSpan.FromSeconds(90) };
        HttpResponseMessage response;
        try
        {
            response = await call(client);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"no node answers on 127.0.0.1:{control.Port} (pid {control.ProcessId}); is it running? ({e.Message})");
        }
        catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new CliException($"the node on 127.0.0.1:{control.Port} did not answer in time");
        }

        var text = await response.Content.ReadAsStringAsync(cancel);
        using var json = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        if (!response.IsSuccessStatusCode && response.StatusCode != accept)
        {
            // The channel speaks HTTP, the user does not: the node's own words, or the status in words.
            var error = json.RootElement.TryGetProperty("error", out var e) && e.GetString() is { Length: > 0 } words
                ? words
                : $"the node refused the request ({response.ReasonPhrase?.ToLowerInvariant() ?? "no reason given"})";
            throw new CliException(error);
        }

        if (print)
        {
            Console.WriteLine(JsonSerializer.Serialize(json.RootElement, Pretty));
        }

        return json.RootElement.Clone();
    }
}
