using Drogulus.Core.Identity;
using Drogulus.Core.Limits;

namespace Drogulus.Core.Reachability;

/// <summary>
/// What a node in <c>reachability = auto</c> believes about itself (PROTOCOL §10), with time passed in: its
/// external address, learnt from the <c>seen</c> field of replies, and whether it can be dialled, learnt from
/// dial-back tests. It starts as a client; it becomes a server after more than 3 successful dial-backs from
/// distinct address groups with no failure between; it goes back to client after more than 3 failures with no
/// success between, when its believed external address changes, or when a timer fired so late that the host
/// must have slept. The actor that owns it sends the dial-backs and reports what came of them. Not thread-safe.
/// </summary>
public sealed class ReachabilityState
{
    private readonly ReachabilityRules _rules;

    // The latest address each reporter gave, oldest first, bounded: a stranger who sends many replies under
    // many ids can displace old reports, but never makes this grow.
    private readonly LinkedList<(Key Reporter, string Address, AddressGroup Group)> _reports = new();
    private readonly int _maxReports;
    private readonly HashSet<AddressGroup> _successGroups = new();
    private int _failuresInARow;
    private string? _lastFailure; // the last dial-back failure since this node last became a server

    /// <summary>A node that has tested nothing yet: a client with no believed address.</summary>
    public ReachabilityState(ReachabilityRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
        _maxReports = Math.Max(rules.AddressReporters * 4, 16);
    }

    /// <summary>Whether the node currently counts as a server (it advertises its port).</summary>
    public bool IsServer { get; private set; }

    /// <summary>The external address reported by enough peers in enough groups; null while none is.</summary>
    public string? BelievedAddress { get; private set; }

    /// <summary>What the last finished dial-back test found; null before the first one.</summary>
    public string? LastOutcome { get; private set; }

    /// <summary>When the last outcome was recorded.</summary>
    public DateTimeOffset? LastOutcomeAt { get; private set; }

    /// <summary>Why the node is a client, in words (for the health check); null while it is a server.</summary>
    public string? ClientReason { get; private set; } = "not tested yet";

    /// <summary>Successful dial-backs from distinct groups since the last failure.</summary>
    public int Successes => _successGroups.Count;

    /// <summary>
    /// A reply's <c>seen</c> field: <paramref name="reporter"/> (whose connection address is
    /// <paramref name="reporterGroup"/>'s) saw this node at <paramref name="address"/>. Returns true when the
    /// believed address changed from one address to another, which makes a server a client again.
    /// </summary>
    public bool OnSeen(Key reporter, AddressGroup reporterGroup, string address, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(address);
        for (var node = _reports.First; node is not null; node = node.Next)
        {
            if (node.Value.Reporter == reporter)
            {
                _reports.Remove(node);
                break;
            }
        }

        _reports.AddLast((reporter, address, reporterGroup));
        if (_reports.Count > _maxReports)
        {
            _reports.RemoveFirst();
        }

        var reporters = 0;
        var groups = new HashSet<AddressGroup>();
        foreach (var report in _reports)
        {
            if (report.Address == address)
            {
                reporters++;
                groups.Add(report.Group);
            }
        }

        if (reporters < _rules.AddressReporters || groups.Count < _rules.AddressGroups || address == BelievedAddress)
        {
            return false;
        }

        var previous = BelievedAddress;
        BelievedAddress = address;
        if (previous is null)
        {
            return false;
        }

        BecomeClient($"its external address changed from {previous} to {address}", now);
        return true;
    }

    /// <summary>A dial-back from a peer of <paramref name="group"/> reached this node. True when that made it a server.</summary>
    public bool OnDialbackSucceeded(AddressGroup group, DateTimeOffset now)
    {
        _failuresInARow = 0;
        _successGroups.Add(group);
        Record($"{_successGroups.Count} dial-backs from distinct groups succeeded", now);
        if (IsServer)
        {
            return false;
        }

        if (_successGroups.Count < _rules.Successes)
        {
            // The health reason follows the test: "not tested yet" beside a success in the last outcome misled.
            ClientReason = $"testing: {_successGroups.Count} of {_rules.Successes} dial-backs from distinct groups succeeded so far"
                + (_lastFailure is null ? "" : $" (a dial-back failed before them: {_lastFailure})");
            return false;
        }

        IsServer = true;
        ClientReason = null;
        _lastFailure = null;
        return true;
    }

    /// <summary>A dial-back failed (error 12, any other error, or no answer); <paramref name="reason"/> says how. True when that made a server a client.</summary>
    public bool OnDialbackFailed(string reason, DateTimeOffset now)
    {
        // "No failure in between": a failure while testing starts the count of successes again.
        _successGroups.Clear();
        _failuresInARow++;
        _lastFailure = reason;
        Record("a dial-back failed: " + reason, now);
        if (!IsServer)
        {
            ClientReason = "dial-backs failed (" + reason + ")";
            return false;
        }

        if (_failuresInARow < _rules.Failures)
        {
            return false;
        }

        BecomeClient($"{_failuresInARow} dial-backs failed in a row (last: {reason})", now);
        return true;
    }

    /// <summary>
    /// A timer due at <paramref name="due"/> fired at <paramref name="now"/>. Far later than due means the host
    /// slept, and its address or NAT mapping may have changed: true when that made a server a client.
    /// </summary>
    public bool OnTimer(DateTimeOffset due, DateTimeOffset now)
    {
        if (now - due <= _rules.SleepThreshold)
        {
            return false;
        }

        _reports.Clear();
        BelievedAddress = null;
        var wasServer = IsServer;
        BecomeClient($"the host slept (a timer fired {(now - due).TotalSeconds:0} s late)", now);
        return wasServer;
    }

    private void BecomeClient(string reason, DateTimeOffset now)
    {
        IsServer = false;
        ClientReason = reason;
        _successGroups.Clear();
        _failuresInARow = 0;
        Record(reason, now);
    }

    private void Record(string outcome, DateTimeOffset now)
    {
        LastOutcome = outcome;
        LastOutcomeAt = now;
    }
}
