namespace Drogulus.Core.Wire;

/// <summary>The message type names and field names of PROTOCOL §4.</summary>
internal static class WireNames
{
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Store = "store";
    public const string FindNode = "findnode";
    public const string Nodes = "nodes";
    public const string FindValue = "findvalue";
    public const string Value = "value";
    public const string Error = "error";
    public const string Dialback = "dialback";

    public const string MessageField = "message";
    public const string UuidField = "uuid";
    public const string NodeField = "node";
    public const string ReplyPortField = "reply_port";
    public const string VersionField = "version";
    public const string KeyField = "key";
    public const string ValueField = "value";
    public const string TimestampField = "timestamp";
    public const string ExpiresField = "expires";
    public const string CreatedWithField = "created_with";
    public const string PublicKeyField = "public_key";
    public const string NameField = "name";
    public const string MetaField = "meta";
    public const string SigField = "sig";
    public const string NodesField = "nodes";
    public const string CodeField = "code";
    public const string TitleField = "title";
    public const string DetailsField = "details";
    public const string SeenField = "seen";
    public const string NonceField = "nonce";
    public const string PortField = "port";

    public const string MissingField = "Missing field.";
    public const string InvalidValue = "Invalid value.";
    public const string Context = "context";
}
