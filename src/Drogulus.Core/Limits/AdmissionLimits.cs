namespace Drogulus.Core.Limits;

/// <summary>What one node announces to <see cref="Admission{TNode, TConnection}"/>: its settings and what it saw of the process.</summary>
/// <param name="MaxConnections"><c>max-connections</c>: the node's own budget, both directions together.</param>
/// <param name="ProcessMaxConnections"><c>process-max-connections</c>.</param>
/// <param name="DescriptorReserve"><c>descriptor-reserve</c>.</param>
/// <param name="OpenFileLimit">The process's open-file limit (<c>ulimit -n</c>), or null when unknown or unlimited.</param>
/// <param name="OpenDescriptors">The descriptors the process held when the node started (0 when unknown).</param>
/// <param name="MaxConcurrentHandshakes"><c>max-concurrent-handshakes</c>, each direction.</param>
/// <param name="MaxAcceptedPerGroup"><c>max-accepted-per-group</c>.</param>
/// <param name="AcceptHandshakeRate"><c>accepted-handshake-rate</c>: this node's share of the process's accepted-handshake rate, or null for none.</param>
public sealed record AdmissionLimits(
    int MaxConnections,
    int ProcessMaxConnections,
    int DescriptorReserve,
    long? OpenFileLimit,
    int OpenDescriptors,
    int MaxConcurrentHandshakes,
    int MaxAcceptedPerGroup,
    TokenBucketRate? AcceptHandshakeRate = null)
{
    /// <summary>Checks the limits' ranges.</summary>
    public AdmissionLimits Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProcessMaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(DescriptorReserve);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentHandshakes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAcceptedPerGroup, 1);
        AcceptHandshakeRate?.Validated();
        return this;
    }
}
