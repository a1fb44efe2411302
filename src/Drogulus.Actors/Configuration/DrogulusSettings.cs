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

    // Among Sybils (PROTOCOL §1, §8, §9): address-group limits, the reply filter, disjoint paths, a bounded blacklist.

    /// <summary>Contacts of one address group in one bucket (PROTOCOL §8).</summary>
    public int MaxPerGroupInBucket { get; private init; }

    /// <summary>Contacts of one address group in the whole routing table (PROTOCOL §8).</summary>
    public int MaxPerGroupInTable { get; private init; }

    /// <summary>A <c>nodes</c> reply listing more contacts of one group than this loses all of them (PROTOCOL §9).</summary>
    public int MaxPerGroupInReply { get; private init; }

    /// <summary>Whether loopback, private and link-local addresses are exempt from the group limits.</summary>
    public bool DiversityExemptPrivate { get; private init; }

    /// <summary>Node-disjoint paths of one lookup (PROTOCOL §9); 1 is a single path.</summary>
    public int DisjointPaths { get; private init; }

    /// <summary>Blacklisted ids remembered; the oldest is forgotten first (PROTOCOL §8).</summary>
    public int MaxBlacklist { get; private init; }

    /// <summary>The routing table's group limits and blacklist bound.</summary>
    public Core.Routing.RoutingLimits RoutingLimits => new(MaxPerGroupInBucket, MaxPerGroupInTable, DiversityExemptPrivate, MaxBlacklist);
    /// <summary>Whether a lookup RPC unanswered for the stall time stops counting against alpha.</summary>
    public bool LookupStallEnabled { get; private init; }

    /// <summary>Shortest stall time of a lookup RPC.</summary>
    public TimeSpan LookupStallFloor { get; private init; }

    /// <summary>Longest stall time of a lookup RPC, and the stall time before any round trip was measured.</summary>
    public TimeSpan LookupStallCeiling { get; private init; }

    /// <summary>Which percentile of recent round trips is the stall time.</summary>
    public double LookupStallPercentile { get; private init; }

    /// <summary>Recent round trips kept for the stall time.</summary>
    public int LookupStallSamples { get; private init; }

    /// <summary>An empty estimator of the lookup stall time, as configured (see <see cref="Core.Lookup.RoundTripEstimator"/>).</summary>
    public Core.Lookup.RoundTripEstimator CreateRoundTripEstimator() =>
        new(LookupStallSamples, LookupStallPercentile, LookupStallFloor, LookupStallCeiling);
    // Issue 24: the idle heap trim of a node process (Footprint.HeapTrimActor).

    /// <summary>Whether drogulus-node trims the heap after bursts (off in the library: a host owns its own process).</summary>
    public bool HeapTrimEnabled { get; private init; }

    /// <summary>How often the process's allocation counter is read.</summary>
    public TimeSpan HeapTrimCheckInterval { get; private init; }

    /// <summary>Bytes allocated between two checks that make a burst.</summary>
    public int HeapTrimBurstBytes { get; private init; }

    /// <summary>Least time between two trims.</summary>
    public TimeSpan HeapTrimMinInterval { get; private init; }
    // ---- Issue 21: admission, group rate limits, half-sent frames, join deadline (PROTOCOL §5) ----

    /// <summary>A join that has not finished within this fails with <c>JoinFailed</c> (PROTOCOL §5: every wait has a bound).</summary>
    public TimeSpan JoinTimeout { get; private init; }

    /// <summary>Multiple of <c>rate-limit</c> each address group (IPv4 /24, IPv6 /48) may send (PROTOCOL §5, rate).</summary>
    public int RateLimitGroupMultiple { get; private init; }

    /// <summary>Multiple of <c>rate-limit</c> each IPv6 /32 may send.</summary>
    public int RateLimitWideBlockMultiple { get; private init; }

    /// <summary>Multiple of <c>connection-rate-limit</c> each address group may open.</summary>
    public int ConnectionRateLimitGroupMultiple { get; private init; }

    /// <summary>Multiple of <c>connection-rate-limit</c> each IPv6 /32 may open.</summary>
    public int ConnectionRateLimitWideBlockMultiple { get; private init; }

    /// <summary>
    /// An accepted connection whose peer's first TLS record has not arrived whole within this is closed; until it has,
    /// the connection takes no turn to handshake (PROTOCOL §5, admission).
    /// </summary>
    public TimeSpan HelloTimeout { get; private init; }

    /// <summary>Most connections of one node accepted from one address group at once (PROTOCOL §5, admission).</summary>
    public int MaxAcceptedPerGroup { get; private init; }

    /// <summary>Handshakes of connections accepted from rated addresses this node lets its process start per second (PROTOCOL §5, admission).</summary>
    public double AcceptedHandshakeRatePerSecond { get; private init; }

    /// <summary>Such handshakes this node lets its process start at once.</summary>
    public int AcceptedHandshakeRateBurst { get; private init; }

    /// <summary>Accepted sockets and dials of one node waiting at once for admission's answer (PROTOCOL §5, admission).</summary>
    public int MaxPendingAdmissions { get; private init; }

    /// <summary>Most bytes held for frames that have started and not ended, all this node's connections together (PROTOCOL §5).</summary>
    public int MaxPartialFrameBytes { get; private init; }

    /// <summary>Most bytes of the pieces of unfinished frames kept aside for the next frames (issue 21 item 4).</summary>
    public int MaxSpareFrameBytes { get; private init; }

    // ---- end of issue 21 ----
    // ---- Issue 26: a node you can leave running ----

    /// <summary>File the routing table is saved to while the node runs and at stop, and loaded from at start; empty: memory only.</summary>
    public string RoutingTableFile { get; private init; } = "";

    /// <summary>While contacts changed, the routing table is saved at least this often.</summary>
    public TimeSpan RoutingTableSaveInterval { get; private init; }

    /// <summary>Contacts entering or leaving the table after which it is saved before <see cref="RoutingTableSaveInterval"/> (or a tenth of the table, if fewer).</summary>
    public int RoutingTableSaveAfterChanges { get; private init; }

    /// <summary>PKCS#12 file of a hosted node's identity (encrypted; made when missing); empty: a new identity on every start.</summary>
    public string IdentityFile { get; private init; } = "";

    /// <summary>SQLite file of a hosted node's items; empty: items in memory.</summary>
    public string SqliteStore { get; private init; } = "";
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
    public Core.Storage.StoreLimits StoreLimits => new(MaxItemSize, MaxStoreBytes, MaxItemsPerPublisher, AccessTimeBatch) { Lifetime = ItemLifetime };

    // ---- Stores no stranger can fill (PROTOCOL third edition §1, §3 rule 3, §6) ----

    /// <summary>An item whose timestamp is older than this is expired (PROTOCOL §3 rule 3); publishers put again before then.</summary>
    public TimeSpan MaxItemAge { get; private init; }

    /// <summary>An item whose timestamp is further ahead of the node's clock than this is refused (PROTOCOL §3 rule 3).</summary>
    public TimeSpan MaxClockSkew { get; private init; }

    /// <summary>How often a <see cref="Node.KeepPublishedActor"/> signs its values again and puts them (PROTOCOL §10); shorter than <see cref="MaxItemAge"/>.</summary>
    public TimeSpan KeepAliveInterval { get; private init; }

    /// <summary><see cref="MaxItemAge"/> and <see cref="MaxClockSkew"/> as the core's rule 3 takes them.</summary>
    public Core.Items.ItemLifetime ItemLifetime => new(MaxItemAge, MaxClockSkew);

    /// <summary>A limiter of inbound requests per remote address, as configured.</summary>
    public Core.Limits.InboundRateLimiter CreateRequestRateLimiter() =>
        new(
            new Core.Limits.TokenBucketRate(RateLimitPerSecond, RateLimitBurst),
            new Core.Limits.GroupRateMultiples(RateLimitGroupMultiple, RateLimitWideBlockMultiple, DiversityExemptPrivate),
            RateLimitExempt,
            RateLimitMaxAddresses);

    /// <summary>A limiter of new connections per remote address, as configured.</summary>
    public Core.Limits.InboundRateLimiter CreateConnectionRateLimiter() =>
        new(
            new Core.Limits.TokenBucketRate(ConnectionRateLimitPerSecond, ConnectionRateLimitBurst),
            new Core.Limits.GroupRateMultiples(ConnectionRateLimitGroupMultiple, ConnectionRateLimitWideBlockMultiple, DiversityExemptPrivate),
            RateLimitExempt,
            RateLimitMaxAddresses);

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
            // Among Sybils
            MaxPerGroupInBucket = Int(drogulus, "max-per-group-in-bucket"),
            MaxPerGroupInTable = Int(drogulus, "max-per-group-in-table"),
            MaxPerGroupInReply = Int(drogulus, "max-per-group-in-reply"),
            DiversityExemptPrivate = Bool(drogulus, "diversity-exempt-private"),
            DisjointPaths = Int(drogulus, "disjoint-paths"),
            MaxBlacklist = Int(drogulus, "max-blacklist"),
            // Issue 23
            LookupStallEnabled = Bool(drogulus, "lookup-stall.enabled"),
            LookupStallFloor = Duration(drogulus, "lookup-stall.floor"),
            LookupStallCeiling = Duration(drogulus, "lookup-stall.ceiling"),
            LookupStallPercentile = Double(drogulus, "lookup-stall.percentile"),
            LookupStallSamples = Int(drogulus, "lookup-stall.samples"),
            MaxItemAge = Duration(drogulus, "max-item-age"),
            MaxClockSkew = Duration(drogulus, "max-clock-skew"),
            KeepAliveInterval = Duration(drogulus, "keep-alive-interval"),
            // Issue 24
            HeapTrimEnabled = Bool(drogulus, "heap-trim.enabled"),
            HeapTrimCheckInterval = Duration(drogulus, "heap-trim.check-interval"),
            HeapTrimBurstBytes = Bytes(drogulus, "heap-trim.burst-bytes"),
            HeapTrimMinInterval = Duration(drogulus, "heap-trim.min-interval"),
            // Issue 21
            JoinTimeout = Duration(drogulus, "join.timeout"),
            RateLimitGroupMultiple = Int(drogulus, "rate-limit.group-multiple"),
            RateLimitWideBlockMultiple = Int(drogulus, "rate-limit.wide-block-multiple"),
            ConnectionRateLimitGroupMultiple = Int(drogulus, "connection-rate-limit.group-multiple"),
            ConnectionRateLimitWideBlockMultiple = Int(drogulus, "connection-rate-limit.wide-block-multiple"),
            MaxPartialFrameBytes = Bytes(drogulus, "max-partial-frame-bytes"),
            MaxSpareFrameBytes = BytesOrZero(drogulus, "max-spare-frame-bytes"),
            HelloTimeout = Duration(drogulus, "hello-timeout"),
            MaxAcceptedPerGroup = Int(drogulus, "max-accepted-per-group"),
            AcceptedHandshakeRatePerSecond = Double(drogulus, "accepted-handshake-rate.handshakes-per-second"),
            AcceptedHandshakeRateBurst = Int(drogulus, "accepted-handshake-rate.burst"),
            MaxPendingAdmissions = Int(drogulus, "max-pending-admissions"),
            // Issue 26
            RoutingTableFile = Text(drogulus, "routing-table.file"),
            RoutingTableSaveInterval = Duration(drogulus, "routing-table.save-interval"),
            RoutingTableSaveAfterChanges = Int(drogulus, "routing-table.save-after-changes"),
            IdentityFile = Text(drogulus, "identity-file"),
            SqliteStore = Text(drogulus, "sqlite-store"),
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
        // Among Sybils
        "max-per-group-in-bucket", "max-per-group-in-table", "max-per-group-in-reply", "diversity-exempt-private",
        "disjoint-paths", "max-blacklist",
        // Issue 23
        "lookup-stall.enabled", "lookup-stall.floor", "lookup-stall.ceiling", "lookup-stall.percentile", "lookup-stall.samples",
        // Stores no stranger can fill (PROTOCOL third edition)
        "max-item-age", "max-clock-skew", "keep-alive-interval",
        // Issue 24
        "heap-trim.enabled", "heap-trim.check-interval", "heap-trim.burst-bytes", "heap-trim.min-interval",
        // Issue 21
        "join.timeout", "rate-limit.group-multiple", "rate-limit.wide-block-multiple", "connection-rate-limit.group-multiple",
        "connection-rate-limit.wide-block-multiple", "max-partial-frame-bytes", "max-spare-frame-bytes",
        "hello-timeout", "max-accepted-per-group", "max-pending-admissions",
        "accepted-handshake-rate.handshakes-per-second", "accepted-handshake-rate.burst",
        // Issue 26
        "routing-table.file", "routing-table.save-interval", "routing-table.save-after-changes", "identity-file", "sqlite-store",
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
        Require(MaxItemSize >= 1, "max-item-size", "must be at least 1 byte");
        Require(
            (long)MaxItemSize + Core.Storage.StoreLimits.StoreFrameOverhead <= MaxFrameSize,
            "max-frame-size",
            $"must be at least max-item-size + {Core.Storage.StoreLimits.StoreFrameOverhead / 1024} KiB, so that the largest store (its value and "
            + $"its other fields) fits in one frame; it is {MaxFrameSize} bytes and max-item-size is {MaxItemSize} bytes");
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
        // Among Sybils
        Require(MaxPerGroupInBucket is >= 1 and <= MaxK, "max-per-group-in-bucket", $"must be between 1 and {MaxK}");
        Require(MaxPerGroupInTable >= MaxPerGroupInBucket && MaxPerGroupInTable <= 1_000_000, "max-per-group-in-table", "must be between max-per-group-in-bucket and 1000000");
        Require(MaxPerGroupInReply is >= 1 and <= MaxK, "max-per-group-in-reply", $"must be between 1 and {MaxK}");
        Require(DisjointPaths is >= 1 and <= 64, "disjoint-paths", "must be between 1 and 64");
        Require(MaxBlacklist is >= 1 and <= 10_000_000, "max-blacklist", "must be between 1 and 10000000");
        // Issue 23
        Positive(LookupStallFloor, "lookup-stall.floor");
        // A ceiling above request-timeout is allowed (a test or a user may shorten request-timeout alone): an
        // RPC then times out before it stalls, which is the behaviour without the stall state.
        Require(LookupStallCeiling >= LookupStallFloor && LookupStallCeiling <= TimeSpan.FromMinutes(10), "lookup-stall.ceiling", "must be between lookup-stall.floor and 10m");
        Require(LookupStallPercentile > 0 && LookupStallPercentile <= 100, "lookup-stall.percentile", "must be above 0 and at most 100");
        Require(LookupStallSamples is >= 1 and <= 100_000, "lookup-stall.samples", "must be between 1 and 100000");
        Positive(MaxItemAge, "max-item-age");
        Require(MaxItemAge <= TimeSpan.FromDays(3650), "max-item-age", "must be at most 3650 days");
        Require(MaxClockSkew >= TimeSpan.Zero && MaxClockSkew < MaxItemAge, "max-clock-skew", "must not be negative and must be shorter than max-item-age");
        Require(KeepAliveInterval > TimeSpan.Zero && KeepAliveInterval < MaxItemAge, "keep-alive-interval", "must be positive and shorter than max-item-age (a kept value must be put again before it ages out)");
        // Issue 24: a trim is a full blocking collection; more often than every few seconds it would be the load.
        Require(HeapTrimCheckInterval >= TimeSpan.FromSeconds(1), "heap-trim.check-interval", "must be at least 1s");
        Require(HeapTrimMinInterval >= TimeSpan.FromSeconds(10), "heap-trim.min-interval", "must be at least 10s");
        // Issue 21
        Positive(JoinTimeout, "join.timeout");
        Require(RateLimitGroupMultiple is >= 1 and <= 10_000, "rate-limit.group-multiple", "must be between 1 and 10000");
        Require(RateLimitWideBlockMultiple >= RateLimitGroupMultiple && RateLimitWideBlockMultiple <= 100_000, "rate-limit.wide-block-multiple", "must be between rate-limit.group-multiple and 100000");
        Require(ConnectionRateLimitGroupMultiple is >= 1 and <= 10_000, "connection-rate-limit.group-multiple", "must be between 1 and 10000");
        Positive(HelloTimeout, "hello-timeout");
        Require(MaxAcceptedPerGroup is >= 1 and <= 1_000_000, "max-accepted-per-group", "must be between 1 and 1000000");
        Require(MaxPendingAdmissions is >= 1 and <= 1_000_000, "max-pending-admissions", "must be between 1 and 1000000");
        Require(MaxPartialFrameBytes >= MaxFrameSize + NetstringOverhead && MaxPartialFrameBytes <= 1 << 30, "max-partial-frame-bytes", "must hold at least one frame of max-frame-size and be at most 1 GiB");
        Require(MaxSpareFrameBytes is >= 0 and <= 1 << 30, "max-spare-frame-bytes", "must be between 0 and 1 GiB");
        Require(ConnectionRateLimitWideBlockMultiple >= ConnectionRateLimitGroupMultiple && ConnectionRateLimitWideBlockMultiple <= 100_000, "connection-rate-limit.wide-block-multiple", "must be between connection-rate-limit.group-multiple and 100000");
        // Issue 26
        Positive(RoutingTableSaveInterval, "routing-table.save-interval");
        Require(RoutingTableSaveAfterChanges is >= 1 and <= 1_000_000, "routing-table.save-after-changes", "must be between 1 and 1000000");
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
        Require(AcceptedHandshakeRatePerSecond > 0 && AcceptedHandshakeRatePerSecond <= MaxRate, "accepted-handshake-rate.handshakes-per-second", $"must be positive and at most {MaxRate}");
        Require(AcceptedHandshakeRateBurst is >= 1 and <= MaxBurst, "accepted-handshake-rate.burst", $"must be between 1 and {MaxBurst}");
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

    private static bool Bool(Config config, string key)
    {
        Present(config, key);
        var raw = Read(key, () => config.GetString(key))?.Trim().ToLowerInvariant() ?? "";
        Require(raw is "on" or "off" or "true" or "false" or "yes" or "no", key, "must be on or off");
        return raw is "on" or "true" or "yes";
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

    private static int BytesOrZero(Config config, string key)
    {
        Present(config, key);
        var bytes = Read(key, () => config.GetByteSize(key)) ?? -1;
        Require(bytes is >= 0 and <= int.MaxValue, key, "must be a size between 0 bytes and 2 GiB");
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
