namespace Drogulus.Node;

/// <summary>
/// What a running <c>start</c> is doing, as <c>status</c> reports it: written by the start command, read by
/// the control channel's requests on other threads.
/// </summary>
internal sealed class NodeRunState
{
    /// <summary>Listening, the control channel open, the join through seeds or saved contacts under way.</summary>
    public const string Joining = "joining";

    /// <summary>Joined (or alone, or the join failed and it waits for others); serving.</summary>
    public const string Running = "running";

    /// <summary>Ctrl-C or SIGTERM came: saving and closing.</summary>
    public const string Stopping = "stopping";

    private volatile string _current = Running;

    /// <summary>One of <see cref="Joining"/>, <see cref="Running"/>, <see cref="Stopping"/>.</summary>
    public string Current
    {
        get => _current;
        set => _current = value;
    }
}
