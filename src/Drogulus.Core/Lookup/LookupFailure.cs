namespace Drogulus.Core.Lookup;

/// <summary>Why a lookup failed (PROTOCOL §9).</summary>
public enum LookupFailure
{
    /// <summary>The lookup has not failed.</summary>
    None,

    /// <summary>Rule 1: there was nobody to ask.</summary>
    RoutingTableEmpty,

    /// <summary>Rule 6: a <c>findvalue</c> lookup completed without a valid value.</summary>
    ValueNotFound,

    /// <summary>Rules 5 and 6: every peer asked failed, so nothing is known about the target.</summary>
    NoPeerAnswered,

    /// <summary>Rule 7: <c>lookup-timeout</c> passed before the lookup completed.</summary>
    Timeout,

    /// <summary>The lookup was stopped before it completed (its actor failed or its node stopped).</summary>
    Aborted,
}

/// <summary>Texts for <see cref="LookupFailure"/>.</summary>
public static class LookupFailures
{
    /// <summary>The human-readable reason for <paramref name="failure"/>, as used in replies.</summary>
    public static string Describe(LookupFailure failure) => failure switch
    {
        LookupFailure.None => "none",
        LookupFailure.RoutingTableEmpty => "routing table empty",
        LookupFailure.ValueNotFound => "value not found",
        LookupFailure.NoPeerAnswered => "no peer answered",
        LookupFailure.Timeout => "lookup timed out",
        LookupFailure.Aborted => "lookup aborted",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}
