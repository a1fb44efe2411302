namespace Drogulus.Core.Wire;

/// <summary>
/// The wire field <c>seen</c> of a reply (PROTOCOL §4, §10): the requester's IP address and TCP port as the
/// responder's connection saw them, <c>[address, port]</c> on the wire. It is what the responder claims, so a
/// node believes an external address only when several peers in several address groups agree (§10).
/// </summary>
/// <param name="Address">The requester's IP address as text.</param>
/// <param name="Port">The requester's TCP port, 0..65535.</param>
public sealed record SeenAddress(string Address, int Port)
{
    /// <inheritdoc />
    public override string ToString() => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
