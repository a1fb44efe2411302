using System.CommandLine;
using Drogulus.Actors.Network;
using Drogulus.Core.Items;

namespace Drogulus.Node;

/// <summary><c>keygen</c>: a publisher key and a node identity, private keys encrypted with a passphrase.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var passphrase = CommonOptions.Passphrase();
        var force = new Option<bool>("--force") { Description = "Overwrite existing keys." };
        var command = new Command("keygen", "Create a publisher key (RSA 2048) and a node identity (ECDSA P-256 certificate).") { data, passphrase, force };
        command.SetAction(result =>
        {
            var files = new NodeFiles(result.GetRequiredValue(data));
            var secret = CommonOptions.RequirePassphrase(result.GetValue(passphrase));
            if (!result.GetValue(force) && (File.Exists(files.Identity) || File.Exists(files.PublisherKey)))
            {
                throw new CliException($"keys already exist in {files.Directory} (use --force to replace them)");
            }

            Directory.CreateDirectory(files.Directory);
            using var identity = NodeIdentity.Generate(DateTimeOffset.UtcNow);
            using var publisher = PublisherKey.Generate();
            File.WriteAllBytes(files.Identity, identity.Export(secret));
            File.WriteAllText(files.PublisherKey, publisher.ExportEncryptedPkcs8Pem(secret));
            File.WriteAllText(files.PublisherPublicKey, publisher.PublicKeyPem);
            Console.WriteLine($"node id        {identity.Id}");
            Console.WriteLine($"node identity  {files.Identity}");
            Console.WriteLine($"publisher key  {files.PublisherKey} (encrypted)");
            Console.WriteLine($"public key     {files.PublisherPublicKey} (share it: readers need it to find your values)");
            return 0;
        });
        return command;
    }
}
