using System.Security.Cryptography;
using System.Text.Json;
using Drogulus.Actors.Network;
using Drogulus.Core.Items;

namespace Drogulus.Node;

/// <summary>
/// The files of one node's data directory: its TLS identity, the publisher key, the item database, the
/// saved routing table, the logs and, while it runs, the control endpoint.
/// </summary>
internal sealed class NodeFiles(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string Identity => Path.Combine(Directory, "node-identity.pfx");

    public string PublisherKey => Path.Combine(Directory, "publisher-key.pem");

    public string PublisherPublicKey => Path.Combine(Directory, "publisher-public-key.pem");

    public string Items => Path.Combine(Directory, "items.db");

    public string RoutingTable => Path.Combine(Directory, "routing-table.bin");

    public string Control => Path.Combine(Directory, "control.json");

    /// <summary>The values this node keeps published for its own publisher key (PROTOCOL §10), so a restart resumes it.</summary>
    public string KeptItems => Path.Combine(Directory, "kept-items.json");

    public string Logs => Path.Combine(Directory, "logs", "node-.log");

    public NodeIdentity LoadIdentity(string passphrase)
    {
        var bytes = Read(Identity, "node identity");
        try
        {
            return NodeIdentity.Import(bytes, passphrase);
        }
        catch (CryptographicException)
        {
            throw new CliException($"cannot open the node identity {Identity}: wrong passphrase or not an identity file");
        }
    }

    public PublisherKey LoadPublisher(string passphrase)
    {
        var pem = File.Exists(PublisherKey) ? ReadText(PublisherKey, "publisher key") : throw new CliException($"no publisher key at {PublisherKey} (run keygen first)");
        try
        {
            return Core.Items.PublisherKey.FromEncryptedPem(pem, passphrase);
        }
        catch (InvalidPassphraseException)
        {
            throw new CliException($"cannot open the publisher key {PublisherKey}: wrong passphrase");
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new CliException($"cannot read the publisher key {PublisherKey}: {e.Message}");
        }
    }

    public ControlEndpoint ReadControl()
    {
        if (!File.Exists(Control))
        {
            throw new CliException($"no node is running with data directory {Directory} (start one with: drogulus-node start --data {Directory})");
        }

        try
        {
            return JsonSerializer.Deserialize<ControlEndpoint>(File.ReadAllText(Control)) ?? throw new JsonException("empty");
        }
        catch (JsonException)
        {
            throw new CliException($"the control file {Control} is unreadable; is the node running?");
        }
    }

    public void WriteControl(ControlEndpoint endpoint) => File.WriteAllText(Control, JsonSerializer.Serialize(endpoint));

    public static byte[] Read(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the {what} {path}: {e.Message}");
        }
    }

    public static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the {what} {path}: {e.Message}");
        }
    }
}

/// <summary>Where a running node's control channel listens (127.0.0.1 only).</summary>
internal sealed record ControlEndpoint(int Port, int ProcessId, string NodeId);

/// <summary>A failure the command line reports as one line on stderr with a non-zero exit code.</summary>
internal sealed class CliException(string message) : Exception(message);
