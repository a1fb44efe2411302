using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Routing;
using Drogulus.Actors.Storage.Sqlite;
using Drogulus.Core.Routing;
using Drogulus.Core.Storage;

namespace Drogulus.Hosting;

/// <summary>
/// The files that make a hosted node survive a restart as the command-line node does: its identity
/// (<c>drogulus.identity-file</c>, PKCS#12 encrypted with a passphrase, the CLI's format), its items
/// (<c>drogulus.sqlite-store</c>) and its routing table (<c>drogulus.routing-table.file</c>, loaded here so that
/// a node with no seeds rejoins through its saved contacts).
/// </summary>
internal static class DurableNodeFiles
{
    /// <summary>The identity in <see cref="DrogulusSettings.IdentityFile"/> (made and saved when missing), or a new one when none is set.</summary>
    /// <exception cref="ConfigurationException">when the file is set without a passphrase, or cannot be read with it.</exception>
    public static NodeIdentity Identity(DrogulusSettings settings, string? passphrase, DateTimeOffset now)
    {
        if (settings.IdentityFile.Length == 0)
        {
            return NodeIdentity.Generate(now);
        }

        var path = Path.GetFullPath(settings.IdentityFile);
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new ConfigurationException($"drogulus.identity-file ({path}) needs DrogulusOptions.IdentityPassphrase: the private key is stored encrypted.");
        }

        if (File.Exists(path))
        {
            try
            {
                return NodeIdentity.Import(File.ReadAllBytes(path), passphrase);
            }
            catch (CryptographicException)
            {
                throw new ConfigurationException($"drogulus.identity-file ({path}) cannot be opened: wrong passphrase or not an identity file.");
            }
        }

        // First start: a new identity, written whole (temp file, then rename) and readable by its owner only.
        var identity = NodeIdentity.Generate(now);
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var temp = path + ".tmp";
        File.WriteAllBytes(temp, identity.Export(passphrase));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: false);
        return identity;
    }

    /// <summary>The SQLite store of <see cref="DrogulusSettings.SqliteStore"/>, closed when <paramref name="system"/> terminates; null when none is set.</summary>
    public static IItemStore? Store(DrogulusSettings settings, ActorSystem system)
    {
        if (settings.SqliteStore.Length == 0)
        {
            return null;
        }

        var path = Path.GetFullPath(settings.SqliteStore);
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var store = SqliteItemStore.Open(path);

        // After termination every actor has stopped, the data store included: nothing writes any more.
        system.RegisterOnTermination(store.Dispose);
        return store;
    }

    /// <summary>The routing table saved in <see cref="DrogulusSettings.RoutingTableFile"/>; null when there is none or it is unreadable (logged).</summary>
    public static RoutingTable? RoutingTable(DrogulusSettings settings, NodeIdentity identity, ActorSystem system)
    {
        if (settings.RoutingTableFile.Length == 0)
        {
            return null;
        }

        var file = new RoutingTableFile(settings.RoutingTableFile);
        try
        {
            return file.Load(identity.Id, settings.K, settings.AllowedRpcFails, system.Scheduler.Now);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            Logging.GetLogger(system, typeof(DurableNodeFiles)).Warning("Ignoring the unreadable routing table {Path}: {Reason}", file.Path, e.Message);
            return null;
        }
    }
}
