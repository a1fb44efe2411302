namespace Drogulus.Core.Limits;

/// <summary>
/// PROTOCOL §6, <c>dialback</c>: a node answers at most one dial-back per requesting address group at a time,
/// and at most <c>dialback-max-in-flight</c> in all, so it can never be made to dial many ports of one network
/// (or many networks at once) for a stranger. Not thread-safe; owned by one actor.
/// </summary>
public sealed class DialbackGate
{
    private readonly HashSet<AddressGroup> _running = new();
    private readonly int _maxInFlight;

    /// <summary>A gate that lets at most <paramref name="maxInFlight"/> dial-backs run at once.</summary>
    public DialbackGate(int maxInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _maxInFlight = maxInFlight;
    }

    /// <summary>Dial-backs running.</summary>
    public int InFlight => _running.Count;

    /// <summary>True when a dial-back for <paramref name="group"/> may start now; it then runs until <see cref="End"/>.</summary>
    public bool TryBegin(AddressGroup group) => _running.Count < _maxInFlight && _running.Add(group);

    /// <summary>The dial-back for <paramref name="group"/> has been answered.</summary>
    public void End(AddressGroup group) => _running.Remove(group);
}
