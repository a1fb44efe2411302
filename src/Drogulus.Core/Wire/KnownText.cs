using System.Text;

namespace Drogulus.Core.Wire;

/// <summary>
/// The texts every frame repeats (field names, message types, the current version): decoding one of them returns the
/// constant instead of a new string, and a map key that is none of the field names is known to name no field, so it
/// need not become a string at all (issue 13: the decoder allocated a string per key of every frame).
/// </summary>
internal static class KnownText
{
    private static readonly (byte[] Utf8, string Text)[] FieldNames = Of(
        WireNames.MessageField, WireNames.UuidField, WireNames.NodeField, WireNames.ReplyPortField, WireNames.VersionField,
        WireNames.KeyField, WireNames.ValueField, WireNames.TimestampField, WireNames.ExpiresField, WireNames.CreatedWithField,
        WireNames.PublicKeyField, WireNames.NameField, WireNames.MetaField, WireNames.SigField, WireNames.NodesField,
        WireNames.CodeField, WireNames.TitleField, WireNames.DetailsField, WireNames.SeenField, WireNames.NonceField,
        WireNames.PortField);

    private static readonly (byte[] Utf8, string Text)[] Values = Of(
        WireNames.Ping, WireNames.Pong, WireNames.Store, WireNames.FindNode, WireNames.Nodes, WireNames.FindValue,
        WireNames.Value, WireNames.Error, WireNames.Dialback, ProtocolVersion.Current);

    /// <summary>The field name spelled by <paramref name="utf8"/>, or null when it spells none.</summary>
    public static string? FieldName(ReadOnlySpan<byte> utf8) => Find(FieldNames, utf8);

    /// <summary>The constant for a message type or the current version spelled by <paramref name="utf8"/>, or null.</summary>
    public static string? Value(ReadOnlySpan<byte> utf8) => Find(Values, utf8);

    private static string? Find((byte[] Utf8, string Text)[] known, ReadOnlySpan<byte> utf8)
    {
        foreach (var (bytes, text) in known)
        {
            if (utf8.SequenceEqual(bytes))
            {
                return text;
            }
        }

        return null;
    }

    private static (byte[] Utf8, string Text)[] Of(params string[] texts) =>
        texts.Select(t => (Encoding.UTF8.GetBytes(t), t)).ToArray();
}
