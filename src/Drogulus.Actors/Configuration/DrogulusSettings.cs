using Akka.Configuration;

namespace Drogulus.Actors.Configuration;

/// <summary>
/// The validated settings of one node (PROTOCOL §1), read from a <c>drogulus { }</c> HOCON block. This
/// class is the only reader of that block; defaults live in <c>hocon/reference.conf</c> alone. Immutable
/// once validated: every value comes through <see cref="Create"/> (no public setter, and a <c>with</c>
/// expression outside this class cannot set one), so a node never runs with settings nobody checked.
/// </summary>
public sealed record DrogulusSettings
{
    private DrogulusSettings()
    {
    }

    /// <summary>Bucket size, replacement-cache size, lookup result size, default replication count.</summary>
    public int K { get; private init; }

    /// <summary>RPCs one lookup keeps in flight.</summary>
    public int Alpha { get; private init; }

    /// <summary>Bound on one RPC: connect, handshake and reply.</summary>
    public TimeSpan RequestTimeout { get; private init; }

    /// <summary>Bound on one lookup.</summary>
    public TimeSpan LookupTimeout { get; private init; }

    /// <summary>How often stale buckets are looked for.</summary>
    public TimeSpan RefreshInterval { get; private init; }

    /// <summary>A bucket not touched for this long is stale.</summary>
    public TimeSpan RefreshTimeout { get; private init; }

    /// <summary>Period of the republish pass and the "recently updated" window.</summary>
    public TimeSpan ReplicateInterval { get; private init; }

    /// <summary>Failed RPCs after which a contact is dropped.</summary>
    public int AllowedRpcFails { get; private init; }

    /// <summary>Largest netstring payload accepted or sent, in bytes.</summary>
    public int MaxFrameSize { get; private init; }

    /// <summary>An unused connection is closed after this.</summary>
    public TimeSpan IdleTimeout { get; private init; }

    /// <summary>Bound on opening a TCP connection to a peer.</summary>
    public TimeSpan ConnectTimeout { get; private init; }

    /// <summary>Bound on the TLS handshake of a new connection, either side.</summary>
    public TimeSpan HandshakeTimeout { get; private init; }

    /// <summary>Shortest RSA publisher key whose signatures verify.</summary>
    public int MinRsaKeyBits { get; private init; }

    /// <summary>Written into <c>created_with</c> of items this node signs.</summary>
    public string CreatedWith { get; private init; } = "";

    /// <summary>The protocol version this node speaks.</summary>
    public string ProtocolVersion { get; private init; } = "";

    /// <summary>Most items per second the republish pass stores again.</summary>
    public double RepublishItemsPerSecond { get; private init; }

    /// <summary>Most republish stores in flight at once.</summary>
    public int RepublishParallelism { get; private init; }

    /// <summary>Pings a join sends to one seed before it counts as not answering.</summary>
    public int JoinSeedAttempts { get; private init; }

    /// <summary>Wait before a seed that did not answer a join's ping is pinged again.</summary>
    public TimeSpan JoinRetryDelay { get; private init; }

    /// <summary>First wait before a node whose listener stopped asks its transport to bind again.</summary>
    public TimeSpan RebindMinBackoff { get; private init; }

    /// <summary>Longest wait between two attempts to bind again (the wait doubles up to this).</summary>
    public TimeSpan RebindMaxBackoff { get; private init; }

    /// <summary>Transport of the extension's default node.</summary>
    public string Transport { get; private init; } = "";

    /// <summary>Address the node listens on.</summary>
    public string ListenHost { get; private init; } = "";

    /// <summary>Port the node listens on; 0 for an ephemeral port.</summary>
    public int ListenPort { get; private init; }

    // ---- Issue 9: connection budget, backpressure, frame deadline, log throttling (PROTOCOL §1, §5) ----

    /// <summary>A frame that has started must be complete within this, however slowly its bytes trickle in.</summary>
    public TimeSpan FrameTimeout { get; private init; }

    /// <summary>A connection whose queued writes make no progress for this long is closed.</summary>
    public TimeSpan WriteTimeout { get; private init; }

    /// <summary>Most open connections of one node, both directions together.</summary>
    public int MaxConnections { get; private init; }

    /// <summary>Most requests one peer may have unanswered at this node; above it the connection is not read.</summary>
    public int MaxRequestsInFlight { get; private init; }

    /// <summary>Bytes queued for writing to one peer above which its connection stops reading.</summary>
    public int OutgoingHighWater { get; private init; }

    /// <summary>Bytes queued for writing to one peer below which a paused connection reads again.</summary>
    public int OutgoingLowWater { get; private init; }

    /// <summary>Repeated warnings of one kind are written at most once per this interval, with their count.</summary>
    public TimeSpan LogWarningInterval { get; private init; }

    /// <summary>
    /// Most open TLS connections of all the nodes in one actor system together (one file descriptor each), capped at
    /// run time by the process's open-file limit minus <see cref="DescriptorReserve"/>.
    /// </summary>
    public int ProcessMaxConnections { get; private init; }

    /// <summary>File descriptors kept free of connections for everything else (listeners, stores, logs, accepts in flight).</summary>
    public int DescriptorReserve { get; private init; }

    /// <summary>
    /// TLS handshakes in progress at once in one actor system, dials and accepts each; the rest wait their turn
    /// within <see cref="HandshakeTimeout"/>.
    /// </summary>
    public int MaxConcurrentHandshakes { get; private init; }

    // Issue 9, item 6 (t9m): memory per connection.

    /// <summary>Most bytes of frames in one TLS record this node writes; bounds the buffers OpenSSL keeps per connection.</summary>
    public int TlsRecordSize { get; private init; }

    // ---- end of issue 9 ----

    // ---- Issue 10: storing for strangers (item size, quotas, crypto cost, rate limits) ----

    /// <summary>Largest canonical msgpack <c>value</c> stored or put, in bytes (PROTOCOL §6, error 4).</summary>
    public int MaxItemSize { get; private init; }

    /// <summary>Most bytes of items one node holds (PROTOCOL §6, error 11).</summary>
    public long MaxStoreBytes { get; private init; }

    /// <summary>Most items one node holds under one publisher key (PROTOCOL §6, error 11).</summary>
    public int MaxItemsPerPublisher { get; private init; }

    /// <summary>Longest RSA publisher key whose signatures are verified; longer ones fail rule 1 unverified.</summary>
    public int MaxRsaKeyBits { get; private init; }

    /// <summary>Reads (and identical re-stores) whose times are kept in memory before one batched write.</summary>
    public int AccessTimeBatch { get; private init; }

    /// <summary>Inbound requests per second per remote address (PROTOCOL §5, rate).</summary>
    public double RateLimitPerSecond { get; private init; }

    /// <summary>Inbound requests one remote address may send at once.</summary>
    public int RateLimitBurst { get; private init; }

    /// <summary>New connections per second per remote address.</summary>
    public double ConnectionRateLimitPerSecond { get; private init; }

    /// <summary>New connections one remote address may open at once.</summary>
    public int ConnectionRateLimitBurst { get; private init; }

    /// <summary>Remote networks never rate limited (default loopback).</summary>
    public Core.Limits.AddressSet RateLimitExempt { get; private init; } = Core.Limits.AddressSet.Empty;

    /// <summary>Most remote addresses whose buckets a rate limiter tracks at once.</summary>
    public int RateLimitMaxAddresses { get; private init; }

    // Issue 10 (t10b): the hand-over throttle.

    /// <summary>Most hand-over stores started per second, all newcomers together.</summary>
    public double HandOverItemsPerSecond { get; private init; }

    /// <summary>Most hand-over stores in flight at once.</summary>
    public int HandOverParallelism { get; private init; }

    /// <summary>Most newcomers per second whose items are looked for.</summary>
    public double HandOverNewcomersPerSecond { get; private init; }

    /// <summary>Newcomers waiting for their hand-over; one past this gets nothing handed over.</summary>
    public int HandOverMaxQueuedNewcomers { get; private init; }

    // ---- Issue 22: reachability (PROTOCOL §6, §10) ----

    /// <summary><c>server</c>, <c>client</c> or <c>auto</c> (PROTOCOL §10).</summary>
    public ReachabilityMode Reachability { get; private init; }

    /// <summary>Peers that must report one external address before an <c>auto</c> node believes it.</summary>
    public int ReachabilityAddressReporters { get; private init; }

    /// <summary>Address groups those reporters must come from.</summary>
    public int ReachabilityAddressGroups { get; private init; }

    /// <summary>Successful dial-backs from distinct groups, without a failure between, that make an <c>auto</c> node a server.</summary>
    public int ReachabilitySuccesses { get; private init; }

    /// <summary>Failed dial-backs that send an <c>auto</c> server back to client.</summary>
    public int ReachabilityFailures { get; private init; }

    /// <summary>Most dial-back requests one test sends.</summary>
    public int ReachabilityDialbacksPerTest { get; private init; }

    /// <summary>A timer firing this much later than due means the host slept.</summary>
    public TimeSpan ReachabilitySleepThreshold { get; private init; }

    /// <summary>Dial-backs this node answers for others at once (one per requesting group).</summary>
    public int DialbackMaxInFlight { get; private init; }

    /// <summary>The thresholds of the pure <see cref="Core.Reachability.ReachabilityState"/>.</summary>
    public Core.Reachability.ReachabilityRules ReachabilityRules =>
        new(ReachabilityAddressReporters, ReachabilityAddressGroups, ReachabilitySuccesses, ReachabilityFailures, ReachabilitySleepThreshold);

    // ---- end of issue 22 ----

    /// <summary>The hand-over throttle for <see cref="Core.Storage.HandOverQueue{T}"/>.</summary>
    public Core.Storage.HandOverLimits HandOverLimits =>
        new(HandOverItemsPerSecond, HandOverParallelism, HandOverNewcomersPerSecond, HandOverMaxQueuedNewcomers);

    /// <summary>The store bounds for <see cref="Core.Storage.LocalStore"/>.</summary>
    public Core.Storage.StoreLimits StoreLimits => new(MaxItemSize, MaxStoreBytes, MaxItemsPerPublisher, AccessTimeBatch);

    /// <summary>A limiter of inbound requests per remote address, as configured.</summary>
    public Core.Limits.InboundRateLimiter CreateRequestRateLimiter() =>
        new(new Core.Limits.TokenBucketRate(RateLimitPerSecond, RateLimitBurst), RateLimitExempt, RateLimitMaxAddresses);

    /// <summary>A limiter of new connections per remote address, as configured.</summary>
    public Core.Limits.InboundRateLimiter CreateConnectionRateLimiter() =>
        new(new Core.Limits.TokenBucketRate(ConnectionRateLimitPerSecond, ConnectionRateLimitBurst), RateLimitExempt, RateLimitMaxAddresses);

    /// <summary>
    /// Reads and validates a <c>drogulus</c> block. Pass the block itself (<c>config.GetConfig("drogulus")</c>)
    /// with the reference configuration as fallback.
    /// </summary>
    /// <exception cref="ConfigurationException">naming the offending key when a value is missing or nonsense.</exception>
    public static DrogulusSettings Create(Config drogulus)
    {
        ArgumentNullException.ThrowIfNull(drogulus);
        if (drogulus.IsEmpty)
        {
            throw new ConfigurationException("The drogulus configuration block is empty; was reference.conf loaded?");
        }

        RejectUnknownKeys(drogulus, "");
        var settings = new DrogulusSettings
        {
            K = Int(drogulus, "k"),
            Alpha = Int(drogulus, "alpha"),
            RequestTimeout = Duration(drogulus, "request-timeout"),
            LookupTimeout = Duration(drogulus, "lookup-timeout"),
            RefreshInterval = Duration(drogulus, "refresh-interval"),
            RefreshTimeout = Duration(drogulus, "refresh-timeout"),
            ReplicateInterval = Duration(drogulus, "replicate-interval"),
            AllowedRpcFails = Int(drogulus, "allowed-rpc-fails"),
            MaxFrameSize = Bytes(drogulus, "max-frame-size"),
            IdleTimeout = Duration(drogulus, "idle-timeout"),
            ConnectTimeout = Duration(drogulus, "connect-timeout"),
            HandshakeTimeout = Duration(drogulus, "handshake-timeout"),
            MinRsaKeyBits = Int(drogulus, "min-rsa-key-bits"),
            CreatedWith = Text(drogulus, "created-with"),
            ProtocolVersion = Text(drogulus, "protocol-version"),
            RepublishItemsPerSecond = Double(drogulus, "republish.items-per-second"),
            RepublishParallelism = Int(drogulus, "republish.parallelism"),
            JoinSeedAttempts = Int(drogulus, "join.seed-attempts"),
            JoinRetryDelay = Duration(drogulus, "join.retry-delay"),
            RebindMinBackoff = Duration(drogulus, "rebind.min-backoff"),
            RebindMaxBackoff = Duration(drogulus, "rebind.max-backoff"),
            Transport = Text(drogulus, "transport"),
            ListenHost = Text(drogulus, "listen.host"),
            ListenPort = Int(drogulus, "listen.port"),

            // Issue 9
            FrameTimeout = Duration(drogulus, "frame-timeout"),
            WriteTimeout = Duration(drogulus, "write-timeout"),
            MaxConnections = Int(drogulus, "max-connections"),
            MaxRequestsInFlight = Int(drogulus, "max-requests-in-flight"),
            OutgoingHighWater = Bytes(drogulus, "outgoing-high-water"),
            OutgoingLowWater = Bytes(drogulus, "outgoing-low-water"),
            LogWarningInterval = Duration(drogulus, "log-warning-interval"),
            ProcessMaxConnections = Int(drogulus, "process-max-connections"),
            DescriptorReserve = Int(drogulus, "descriptor-reserve"),
            MaxConcurrentHandshakes = Int(drogulus, "max-concurrent-handshakes"),
            TlsRecordSize = Bytes(drogulus, "tls-record-size"),
            // Issue 10
            MaxItemSize = Bytes(drogulus, "max-item-size"),
            MaxStoreBytes = LongBytes(drogulus, "max-store-bytes"),
            MaxItemsPerPublisher = Int(drogulus, "max-items-per-publisher"),
            MaxRsaKeyBits = Int(drogulus, "max-rsa-key-bits"),
            AccessTimeBatch = Int(drogulus, "access-time-batch"),
            RateLimitPerSecond = Double(drogulus, "rate-limit.requests-per-second"),
            RateLimitBurst = Int(drogulus, "rate-limit.burst"),
            ConnectionRateLimitPerSecond = Double(drogulus, "connection-rate-limit.connections-per-second"),
            ConnectionRateLimitBurst = Int(drogulus, "connection-rate-limit.burst"),
            RateLimitExempt = Networks(drogulus, "rate-limit-exempt"),
            RateLimitMaxAddresses = Int(drogulus, "rate-limit-max-addresses"),
            HandOverItemsPerSecond = Double(drogulus, "hand-over.items-per-second"),
            HandOverParallelism = Int(drogulus, "hand-over.parallelism"),
            HandOverNewcomersPerSecond = Double(drogulus, "hand-over.newcomers-per-second"),
            HandOverMaxQueuedNewcomers = Int(drogulus, "hand-over.max-queued-newcomers"),
            // Issue 22
            Reachability = ReadReachability(drogulus, "reachability"),
            ReachabilityAddressReporters = Int(drogulus, "reachability-test.address-reporters"),
            ReachabilityAddressGroups = Int(drogulus, "reachability-test.address-groups"),
            ReachabilitySuccesses = Int(drogulus, "reachability-test.successes"),
            ReachabilityFailures = Int(drogulus, "reachability-test.failures"),
            ReachabilityDialbacksPerTest = Int(drogulus, "reachability-test.dialbacks-per-test"),
            ReachabilitySleepThreshold = Duration(drogulus, "reachability-test.sleep-threshold"),
            DialbackMaxInFlight = Int(drogulus, "dialback-max-in-flight"),
        };
        settings.Validate();
        return settings;
    }

    // Every key Create reads. A key outside this list is a typo (or a setting of another version), and a
    // typo silently falling back to the default is worse than an error.
    private static readonly HashSet<string> KnownKeys = new(StringComparer.Ordinal)
    {
        "k", "alpha", "request-timeout", "lookup-timeout", "refresh-interval", "refresh-timeout", "replicate-interval",
        "allowed-rpc-fails", "max-frame-size", "idle-timeout", "connect-timeout", "handshake-timeout", "min-rsa-key-bits",
        "created-with", "protocol-version", "republish.items-per-second", "republish.parallelism", "rebind.min-backoff", "rebind.max-backoff", "join.seed-attempts", "join.retry-delay", "transport",
        "listen.host", "listen.port",

        // Issue 9
        "frame-timeout", "write-timeout", "max-connections", "max-requests-in-flight", "outgoing-high-water",
        "outgoing-low-water", "log-warning-interval", "process-max-connections", "descriptor-reserve",
        "max-concurrent-handshakes", "tls-record-size",
        // Issue 10
        "max-item-size", "max-store-bytes", "max-items-per-publisher", "max-rsa-key-bits", "access-time-batch",
        "rate-limit.requests-per-second", "rate-limit.burst", "connection-rate-limit.connections-per-second",
        "connection-rate-limit.burst", "rate-limit-exempt", "rate-limit-max-addresses",
        // Issue 10 (t10b): an Akka dispatcher block, read by Akka from the actor system's config (StoreDispatcher).
        "store-dispatcher", "hand-over.items-per-second", "hand-over.parallelism", "hand-over.newcomers-per-second",
        "hand-over.max-queued-newcomers",
        // Issue 22
        "reachability", "reachability-test.address-reporters", "reachability-test.address-groups",
        "reachability-test.successes", "reachability-test.failures", "reachability-test.dialbacks-per-test",
        "reachability-test.sleep-threshold", "dialback-max-in-flight",
    };

    private static void RejectUnknownKeys(Config config, string prefix)
    {
        foreach (var (key, value) in config.AsEnumerable())
        {
            var path = prefix + key;
            if (value.IsObject() && KnownKeys.Any(known => known.StartsWith(path + ".", StringComparison.Ordinal)))
            {
                RejectUnknownKeys(config.GetConfig(key), path + ".");
            }
            else if (!KnownKeys.Contains(path))
            {
                throw new ConfigurationException($"drogulus.{path} is not a setting (every setting is listed in reference.conf).");
            }
        }
    }

    private void Validate()
    {
        ValidateUpperBounds();
        Require(K >= 1, "k", "must be at least 1");
        Require(Alpha >= 1 && Alpha <= K, "alpha", "must be between 1 and k");
        Positive(RequestTimeout, "request-timeout");
        Positive(LookupTimeout, "lookup-timeout");
        Positive(RefreshInterval, "refresh-interval");
        Positive(RefreshTimeout, "refresh-timeout");
        Positive(ReplicateInterval, "replicate-interval");
        Positive(IdleTimeout, "idle-timeout");
        Positive(ConnectTimeout, "connect-timeout");
        Positive(HandshakeTimeout, "handshake-timeout");
        Require(AllowedRpcFails >= 1, "allowed-rpc-fails", "must be at least 1");
        Require(MaxFrameSize >= 1024, "max-frame-size", "must be at least 1 KiB");
        Require(MinRsaKeyBits >= 512, "min-rsa-key-bits", "must be at least 512");
        Require(CreatedWith.Length > 0, "created-with", "must not be empty");
        Require(ProtocolVersion.Split('.')[0] == "1", "protocol-version", "must be a 1.x version");
        Require(RepublishItemsPerSecond > 0 && double.IsFinite(RepublishItemsPerSecond), "republish.items-per-second", "must be positive");
        Require(RepublishParallelism >= 1, "republish.parallelism", "must be at least 1");
        Require(JoinSeedAttempts is >= 1 and <= 100, "join.seed-attempts", "must be between 1 and 100");
        Positive(JoinRetryDelay, "join.retry-delay");
        Positive(RebindMinBackoff, "rebind.min-backoff");
        Require(RebindMaxBackoff >= RebindMinBackoff, "rebind.max-backoff", "must be at least rebind.min-backoff");
        Require(Transport is "memory" or "tls", "transport", "must be \"memory\" or \"tls\"");
        Require(ListenHost.Length > 0, "listen.host", "must not be empty");
        Require(ListenPort is >= 0 and <= 65535, "listen.port", "must be between 0 and 65535");

        // Issue 9
        Positive(FrameTimeout, "frame-timeout");
        Positive(WriteTimeout, "write-timeout");
        Require(MaxConnections >= 1, "max-connections", "must be at least 1");
        Require(MaxRequestsInFlight >= 1, "max-requests-in-flight", "must be at least 1");
        Require(OutgoingHighWater >= MaxFrameSize + NetstringOverhead, "outgoing-high-water", "must hold at least one frame of max-frame-size");
        Require(OutgoingLowWater < OutgoingHighWater, "outgoing-low-water", "must be below outgoing-high-water");
        Positive(LogWarningInterval, "log-warning-interval");
        Require(ProcessMaxConnections >= 1, "process-max-connections", "must be at least 1");
        Require(DescriptorReserve >= 0, "descriptor-reserve", "must not be negative");
        Require(MaxConcurrentHandshakes >= 1, "max-concurrent-handshakes", "must be at least 1");
        Require(TlsRecordSize is >= 512 and <= 16 * 1024, "tls-record-size", "must be between 512 B and 16 KiB (the TLS maximum)");
        // Issue 10
        Require(
            MaxItemSize >= 1 && (long)MaxItemSize + Core.Storage.StoreLimits.StoreFrameOverhead <= MaxFrameSize,
            "max-item-size",
            $"must be at least 1 byte and leave {Core.Storage.StoreLimits.StoreFrameOverhead / 1024} KiB of max-frame-size for the rest of a store message");
        Require(MaxStoreBytes >= MaxItemSize, "max-store-bytes", "must be at least max-item-size");
        Require(MaxItemsPerPublisher >= 1, "max-items-per-publisher", "must be at least 1");
        Require(MaxRsaKeyBits >= MinRsaKeyBits && MaxRsaKeyBits <= 16384, "max-rsa-key-bits", "must be between min-rsa-key-bits and 16384");
        Require(AccessTimeBatch is >= 1 and <= 1_000_000, "access-time-batch", "must be between 1 and 1000000");
        Require(RateLimitPerSecond > 0 && double.IsFinite(RateLimitPerSecond), "rate-limit.requests-per-second", "must be positive");
        Require(RateLimitBurst >= 1, "rate-limit.burst", "must be at least 1");
        Require(ConnectionRateLimitPerSecond > 0 && double.IsFinite(ConnectionRateLimitPerSecond), "connection-rate-limit.connections-per-second", "must be positive");
        Require(ConnectionRateLimitBurst >= 1, "connection-rate-limit.burst", "must be at least 1");
        Require(RateLimitMaxAddresses is >= 1 and <= 10_000_000, "rate-limit-max-addresses", "must be between 1 and 10000000");
        Require(HandOverItemsPerSecond > 0 && HandOverItemsPerSecond <= MaxRate, "hand-over.items-per-second", $"must be positive and at most {MaxRate}");
        Require(HandOverParallelism is >= 1 and <= 1024, "hand-over.parallelism", "must be between 1 and 1024");
        Require(HandOverNewcomersPerSecond > 0 && HandOverNewcomersPerSecond <= MaxRate, "hand-over.newcomers-per-second", $"must be positive and at most {MaxRate}");
        Require(HandOverMaxQueuedNewcomers is >= 1 and <= 1_000_000, "hand-over.max-queued-newcomers", "must be between 1 and 1000000");
        // Issue 22
        Require(ReachabilityAddressReporters is >= 1 and <= 1000, "reachability-test.address-reporters", "must be between 1 and 1000");
        Require(ReachabilityAddressGroups >= 1 && ReachabilityAddressGroups <= ReachabilityAddressReporters, "reachability-test.address-groups", "must be between 1 and reachability-test.address-reporters");
        Require(ReachabilitySuccesses is >= 1 and <= 1000, "reachability-test.successes", "must be between 1 and 1000");
        Require(ReachabilityFailures is >= 1 and <= 1000, "reachability-test.failures", "must be between 1 and 1000");
        Require(ReachabilityDialbacksPerTest >= ReachabilitySuccesses && ReachabilityDialbacksPerTest <= 1000, "reachability-test.dialbacks-per-test", "must be between reachability-test.successes and 1000");
        Positive(ReachabilitySleepThreshold, "reachability-test.sleep-threshold");
        Require(DialbackMaxInFlight is >= 1 and <= 100_000, "dialback-max-in-flight", "must be between 1 and 100000");
    }

    // ---- Issue 12: an upper bound on every size and count, so that a slip of a unit is refused. Checked first:
    // a huge max-frame-size is reported as itself, not as a too-small outgoing-high-water. (min-rsa-key-bits is
    // bounded through max-rsa-key-bits, which must lie between it and 16384.) ----
    private void ValidateUpperBounds()
    {
        Require(K <= MaxK, "k", $"must be at most {MaxK}");
        Require(AllowedRpcFails <= 100, "allowed-rpc-fails", "must be at most 100");
        Require(MaxFrameSize <= MaxFrameSizeBound, "max-frame-size", "must be at most 64 MiB");
        Require(RepublishItemsPerSecond <= MaxRate, "republish.items-per-second", $"must be at most {MaxRate}");
        Require(RepublishParallelism <= 1024, "republish.parallelism", "must be at most 1024");
        Require(MaxConnections <= 1_000_000, "max-connections", "must be at most 1000000");
        Require(ProcessMaxConnections <= 10_000_000, "process-max-connections", "must be at most 10000000");
        Require(DescriptorReserve <= 1_000_000, "descriptor-reserve", "must be at most 1000000");
        Require(MaxConcurrentHandshakes <= 100_000, "max-concurrent-handshakes", "must be at most 100000");
        Require(MaxRequestsInFlight <= 1_000_000, "max-requests-in-flight", "must be at most 1000000");
        Require(OutgoingHighWater <= 4 * MaxFrameSizeBound, "outgoing-high-water", "must be at most 256 MiB");
        Require(MaxStoreBytes <= MaxStoreBytesBound, "max-store-bytes", "must be at most 1 TiB");
        Require(MaxItemsPerPublisher <= 100_000_000, "max-items-per-publisher", "must be at most 100000000");
        Require(RateLimitPerSecond <= MaxRate, "rate-limit.requests-per-second", $"must be at most {MaxRate}");
        Require(RateLimitBurst <= MaxBurst, "rate-limit.burst", $"must be at most {MaxBurst}");
        Require(ConnectionRateLimitPerSecond <= MaxRate, "connection-rate-limit.connections-per-second", $"must be at most {MaxRate}");
        Require(ConnectionRateLimitBurst <= MaxBurst, "connection-rate-limit.burst", $"must be at most {MaxBurst}");
    }

    private const int MaxK = 1000;
    private const int MaxFrameSizeBound = 64 * 1024 * 1024;
    private const long MaxStoreBytesBound = 1L << 40;
    private const double MaxRate = 1_000_000;
    private const int MaxBurst = 10_000_000;

    // ---- end of issue 12 ----

    // Length digits, ':' and ',' around a payload (PROTOCOL §4).
    private const int NetstringOverhead = 12;

    private static void Positive(TimeSpan value, string key) => Require(value > TimeSpan.Zero, key, "must be a positive duration");

    private static void Require(bool ok, string key, string message)
    {
        if (!ok)
        {
            throw new ConfigurationException($"drogulus.{key} {message}.");
        }
    }

    private static void Present(Config config, string key)
    {
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"drogulus.{key} is missing.");
        }
    }

    private static int Int(Config config, string key)
    {
        Present(config, key);
        return Read(key, () => config.GetInt(key));
    }

    private static double Double(Config config, string key)
    {
        Present(config, key);
        return Read(key, () => config.GetDouble(key));
    }

    private static string Text(Config config, string key)
    {
        Present(config, key);
        return Read(key, () => config.GetString(key)) ?? "";
    }

    private static TimeSpan Duration(Config config, string key)
    {
        Present(config, key);

        // Issue 12: HOCON reads a bare number as milliseconds, so "request-timeout = 5" meant 5 ms; a unit is required.
        var raw = Read(key, () => config.GetString(key))?.Trim() ?? "";
        Require(raw.Length > 0 && char.IsLetter(raw[^1]), key, $"needs a unit, such as 5s, 200ms or 10m (\"{Truncate(raw)}\" has none)");
        return Read(key, () => config.GetTimeSpan(key, allowInfinite: false));
    }

    private static ReachabilityMode ReadReachability(Config config, string key) => Text(config, key) switch
    {
        "server" => Configuration.ReachabilityMode.Server,
        "client" => Configuration.ReachabilityMode.Client,
        "auto" => Configuration.ReachabilityMode.Auto,
        var other => throw new ConfigurationException($"drogulus.{key} must be \"server\", \"client\" or \"auto\", not \"{Truncate(other)}\"."),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static int Bytes(Config config, string key)
    {
        Present(config, key);
        var bytes = Read(key, () => config.GetByteSize(key)) ?? -1;
        Require(bytes is > 0 and <= int.MaxValue, key, "must be a size between 1 byte and 2 GiB");
        return (int)bytes;
    }

    private static long LongBytes(Config config, string key)
    {
        Present(config, key);
        var bytes = Read(key, () => config.GetByteSize(key)) ?? -1;
        Require(bytes > 0, key, "must be a positive size");
        return bytes;
    }

    private static Core.Limits.AddressSet Networks(Config config, string key)
    {
        Present(config, key);
        var texts = Read(key, () => config.GetStringList(key));
        try
        {
            return Core.Limits.AddressSet.Parse(texts);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"drogulus.{key} has an unreadable value: {e.Message}");
        }
    }

    private static T Read<T>(string key, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"drogulus.{key} has an unreadable value: {e.Message}");
        }
    }
}
