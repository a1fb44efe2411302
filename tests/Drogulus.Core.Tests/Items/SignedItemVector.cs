using System.Text.Json;
using Drogulus.Core.Identity;
using Drogulus.Core.Items;
using Drogulus.Core.Wire;

namespace Drogulus.Core.Tests.Items;

/// <summary>The PROTOCOL §3 test vector, read from the copy kept beside these tests.</summary>
internal sealed class SignedItemVector
{
    public const string RelativePath = "tests/Drogulus.Core.Tests/Items/Vectors/signed-item.json";

    private static readonly Lazy<SignedItemVector> Instance = new(Load);

    private SignedItemVector(JsonElement root, string text)
    {
        Text = text;
        Root = root;
        var item = root.GetProperty("item");
        PrivateKeyPem = root.GetProperty("private_key_pem").GetString()!;
        PublicKeyPem = root.GetProperty("public_key_pem").GetString()!;
        AltPublicKeyPem = root.GetProperty("alt_public_key_pem").GetString()!;
        BadPublicKeyPem = root.GetProperty("bad_public_key_pem").GetString()!;
        Value = item.GetProperty("value").GetString()!;
        Timestamp = item.GetProperty("timestamp").GetDouble();
        Expires = item.GetProperty("expires").GetDouble();
        Name = item.GetProperty("name").GetString()!;
        Meta = item.GetProperty("meta").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        CreatedWith = item.GetProperty("created_with").GetString()!;
        CompoundDigest = Hex(root, "compound_digest_hex");
        Signature = Hex(root, "signature_hex");
        KeyWithName = Key.Parse(root.GetProperty("construct_key_with_name_hex").GetString()!);
        KeyWithoutName = Key.Parse(root.GetProperty("construct_key_without_name_hex").GetString()!);
        Expectations = root.GetProperty("expectations").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    public static SignedItemVector Current => Instance.Value;

    public string Text { get; }

    public JsonElement Root { get; }

    public string PrivateKeyPem { get; }

    public string PublicKeyPem { get; }

    public string AltPublicKeyPem { get; }

    public string BadPublicKeyPem { get; }

    public string Value { get; }

    public double Timestamp { get; }

    public double Expires { get; }

    public string Name { get; }

    public IReadOnlyDictionary<string, string> Meta { get; }

    public string CreatedWith { get; }

    public byte[] CompoundDigest { get; }

    public byte[] Signature { get; }

    public Key KeyWithName { get; }

    public Key KeyWithoutName { get; }

    public IReadOnlyList<string> Expectations { get; }

    /// <summary>The repository root: the nearest ancestor of the test binaries holding Drogulus.Actors.sln.</summary>
    public static DirectoryInfo RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drogulus.Actors.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("Drogulus.Actors.sln not found above " + AppContext.BaseDirectory);
    }

    public string CanonicalHex(string field) => Root.GetProperty("canonical_msgpack_hex").GetProperty(field).GetString()!;

    /// <summary>The vector's item, assembled field by field with the vector's signature.</summary>
    public SignedItem Item(
        string? value = null,
        double? timestamp = null,
        double? expires = null,
        string? name = null,
        IReadOnlyDictionary<string, string>? meta = null,
        string? createdWith = null,
        string? publicKey = null,
        Key? key = null,
        byte[]? signature = null) =>
        new(
            key ?? KeyWithName,
            CanonicalMsgPack.Encode(value ?? Value),
            timestamp ?? Timestamp,
            expires ?? Expires,
            createdWith ?? CreatedWith,
            publicKey ?? PublicKeyPem,
            name ?? Name,
            meta ?? Meta,
            signature ?? Signature);

    private static byte[] Hex(JsonElement root, string property) => Convert.FromHexString(root.GetProperty(property).GetString()!);

    private static SignedItemVector Load()
    {
        var path = Path.Combine(RepositoryRoot().FullName, RelativePath);
        var text = File.ReadAllText(path);
        using var document = JsonDocument.Parse(text);
        return new SignedItemVector(document.RootElement.Clone(), text);
    }
}
