namespace Drogulus.Actors.Protocol;

/// <summary>
/// Marker of every public request and reply of a node. It is bound to Hyperion in reference.conf so that
/// users can message a node across Akka.Remote inside their own trusted cluster; peer-to-peer traffic never
/// uses it.
/// </summary>
public interface IDrogulusMessage
{
}

/// <summary>Replies to <see cref="Join"/>.</summary>
public interface IJoinReply : IDrogulusMessage
{
}

/// <summary>Replies to <see cref="Put"/>.</summary>
public interface IPutReply : IDrogulusMessage
{
}

/// <summary>Replies to <see cref="Get"/>.</summary>
public interface IGetReply : IDrogulusMessage
{
}

/// <summary>Replies to <see cref="FindNodes"/>.</summary>
public interface IFindNodesReply : IDrogulusMessage
{
}
