namespace Drogulus.Core.Lookup;

/// <summary>What a lookup searches for (PROTOCOL §9).</summary>
public enum LookupKind
{
    /// <summary>The k nodes closest to the target (<c>findnode</c>).</summary>
    FindNode,

    /// <summary>A value stored under the target key (<c>findvalue</c>).</summary>
    FindValue,
}
