namespace Drogulus.Actors.Configuration;

/// <summary>The setting <c>drogulus.reachability</c> (PROTOCOL §10).</summary>
public enum ReachabilityMode
{
    /// <summary>Advertises its listening port: peers add it to their tables and store to it.</summary>
    Server,

    /// <summary>Sends <c>reply_port = 0</c>: never added to a table, never a storage target; it still gets and puts.</summary>
    Client,

    /// <summary>Starts as a client and becomes a server once dial-back tests show it can be dialled.</summary>
    Auto,
}
