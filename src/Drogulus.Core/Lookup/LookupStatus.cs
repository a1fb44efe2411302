namespace Drogulus.Core.Lookup;

/// <summary>Where a lookup stands.</summary>
public enum LookupStatus
{
    /// <summary>Still waiting for replies or able to send requests.</summary>
    Running,

    /// <summary>Finished with the closest contacts (<c>findnode</c>) or an item (<c>findvalue</c>).</summary>
    Succeeded,

    /// <summary>Finished without a result; see <see cref="LookupFailure"/>.</summary>
    Failed,
}
