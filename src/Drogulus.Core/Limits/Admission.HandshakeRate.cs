namespace Drogulus.Core.Limits;

/// <summary>
/// The accepted-handshake rate of the process (PROTOCOL §5, admission: accepting must not let strangers delay everyone
/// else): a handshake costs the accepting side about two milliseconds of CPU, so strangers who dial as fast as they
/// can from a few address groups, each within its group's connection rate, take the process's cores from the requests
/// on its open connections. Accepts from rated addresses (those the rate limits count) start their handshakes at most
/// at this rate; past it they wait in their group's line (Admission.Turns.cs), where a group that has not had a turn
/// goes first. And the last tenth of the bucket (at least one token, less than the burst) is kept for such groups:
/// the groups flooding spend tokens only down to that reserve, so an honest newcomer finds a token at once instead of
/// waiting for the next one to accrue (a burst from many new groups can still spend it). Each node brings the rate it
/// announced: the process's rate is the sum (a process hosting many nodes is sized for them); a node that announced
/// none leaves the accepts of its process unlimited. Time is passed in.
/// </summary>
public sealed partial class Admission<TNode, TConnection>
{
    private TokenBucketRate? _acceptRate;
    private double _tokens;
    private DateTimeOffset? _tokensAt;

    /// <summary>The process's accepted-handshake rate in force, or null when accepts are not limited.</summary>
    public TokenBucketRate? AcceptHandshakeRate => _acceptRate;

    /// <summary>
    /// When to call <see cref="Wake"/> next: the time a token accrues while a rated accept waits for one with a turn
    /// free; null when nothing waits for a token.
    /// </summary>
    public DateTimeOffset? NextWake(DateTimeOffset now)
    {
        if (_acceptRate is not { } rate || _accepts.Running >= _turnLimit)
        {
            return null;
        }

        // A connection of an owner that has had a turn needs the reserve left over, unless it has waited MaxWait.
        var oldest = _accepts.OldestServed();
        var aged = oldest is { } since && since + MaxWait <= now;
        double? needed = _accepts.FreshWaitsForToken || aged ? 1 : _accepts.ServedWaitsForToken ? 1 + Reserve(rate) : null;
        if (needed is not { } tokens)
        {
            return null;
        }

        Refill(now);
        var at = _tokens + Epsilon >= tokens ? now : now + TimeSpan.FromSeconds((tokens - _tokens) / rate.PerSecond);

        // Or, sooner, when the oldest of them will have waited MaxWait and may take an ordinary token.
        return oldest is { } first && first + MaxWait > now && first + MaxWait < at && _tokens + ((first + MaxWait - now).TotalSeconds * rate.PerSecond) >= 1
            ? first + MaxWait
            : at;
    }

    /// <summary>Tokens have accrued: returns the accepts whose turn it now is (to be told).</summary>
    public IReadOnlyList<TConnection> Wake(DateTimeOffset now) => Grant(dial: false, now);

    // The sum of the joined nodes' rates, or null when one of them announced none (or none joined). A node joining
    // brings its burst; the tokens never exceed the process's burst.
    private void UpdateAcceptRate(TokenBucketRate? joining)
    {
        double perSecond = 0;
        var burst = 0;
        foreach (var node in _nodes.Values)
        {
            if (node.Limits.AcceptHandshakeRate is not { } rate)
            {
                _acceptRate = null;
                return;
            }

            perSecond += rate.PerSecond;
            burst += rate.Burst;
        }

        _acceptRate = _nodes.Count == 0 ? null : new TokenBucketRate(perSecond, burst);
        _tokens = Math.Min(_tokens + (joining?.Burst ?? 0), burst);
    }

    // Tokens accrue in fractions of a second: a token due at a moment counts as there despite rounding.
    private const double Epsilon = 1e-9;

    // Tokens kept for owners that have not had a turn: a tenth of the burst, at least one, less than the burst.
    private static int Reserve(TokenBucketRate rate) => Math.Min(rate.Burst - 1, Math.Max(1, rate.Burst / 10));

    private bool TokenReady(DateTimeOffset now, bool fresh)
    {
        if (_acceptRate is not { } rate)
        {
            return true;
        }

        Refill(now);
        return _tokens + Epsilon >= (fresh ? 1 : 1 + Reserve(rate));
    }

    private void SpendToken()
    {
        if (_acceptRate is not null)
        {
            _tokens--;
        }
    }

    private void Refill(DateTimeOffset now)
    {
        if (_tokensAt is { } at && now > at && _acceptRate is { } rate)
        {
            _tokens = Math.Min(rate.Burst, _tokens + ((now - at).TotalSeconds * rate.PerSecond));
        }

        if (_tokensAt is null || now > _tokensAt)
        {
            _tokensAt = now;
        }
    }
}
