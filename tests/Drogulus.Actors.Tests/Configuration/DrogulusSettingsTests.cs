using Akka.Configuration;
using Drogulus.Actors.Configuration;

namespace Drogulus.Actors.Tests.Configuration;

public sealed class DrogulusSettingsTests
{
    [Fact]
    public void SettingsFrom_should_give_every_reference_default_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal(20, settings.K);
        Assert.Equal(3, settings.Alpha);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.LookupTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.RefreshInterval);
        Assert.Equal(TimeSpan.FromHours(1), settings.RefreshTimeout);
        Assert.Equal(TimeSpan.FromHours(1), settings.ReplicateInterval);
        Assert.Equal(5, settings.AllowedRpcFails);
        Assert.Equal(128 * 1024, settings.MaxFrameSize);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.IdleTimeout);
        Assert.Equal(1024, settings.MinRsaKeyBits);
        Assert.Equal("Drogulus.Actors 0.2", settings.CreatedWith);
        Assert.Equal("1.0", settings.ProtocolVersion);
        Assert.Equal(50.0, settings.RepublishItemsPerSecond);
        Assert.Equal(4, settings.RepublishParallelism);
        Assert.Equal("tls", settings.Transport);
        Assert.Equal("127.0.0.1", settings.ListenHost);
        Assert.Equal(0, settings.ListenPort);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.HandshakeTimeout);
        Assert.Equal(5, settings.JoinSeedAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.JoinRetryDelay);
        Assert.Equal(TimeSpan.FromMinutes(3), settings.JoinTimeout);
        Assert.Equal(8, settings.RateLimitGroupMultiple);
        Assert.Equal(32, settings.RateLimitWideBlockMultiple);
        Assert.Equal(8, settings.ConnectionRateLimitGroupMultiple);
        Assert.Equal(32, settings.ConnectionRateLimitWideBlockMultiple);
        Assert.True(settings.DiversityExemptPrivate);
        Assert.Equal(32 * 1024 * 1024, settings.MaxPartialFrameBytes);
        Assert.Equal(4 * 1024 * 1024, settings.MaxSpareFrameBytes);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.HelloTimeout);
        Assert.Equal(32, settings.MaxAcceptedPerGroup);
        Assert.Equal(100, settings.AcceptedHandshakeRatePerSecond);
        Assert.Equal(100, settings.AcceptedHandshakeRateBurst);
        Assert.Equal(256, settings.MaxPendingAdmissions);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.RebindMinBackoff);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.RebindMaxBackoff);
    }

    [Fact]
    public void SettingsFrom_should_give_the_lookup_stall_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.True(settings.LookupStallEnabled);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.LookupStallFloor);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.LookupStallCeiling);
        Assert.Equal(90.0, settings.LookupStallPercentile);
        Assert.Equal(128, settings.LookupStallSamples);
    }

    [Theory]
    [InlineData("lookup-stall.floor = 0s", "lookup-stall.floor")]
    [InlineData("lookup-stall.floor = 250", "lookup-stall.floor")]
    [InlineData("lookup-stall.ceiling = 100ms", "lookup-stall.ceiling")]
    [InlineData("lookup-stall.ceiling = 11m", "lookup-stall.ceiling")]
    [InlineData("lookup-stall.percentile = 0", "lookup-stall.percentile")]
    [InlineData("lookup-stall.percentile = 101", "lookup-stall.percentile")]
    [InlineData("lookup-stall.samples = 0", "lookup-stall.samples")]
    [InlineData("lookup-stall.enabled = maybe", "lookup-stall.enabled")]
    public void Create_should_reject_a_nonsense_lookup_stall_setting_naming_the_key(string setting, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => DrogulusConfig.SettingsFrom($"drogulus {{ {setting} }}"));

        Assert.StartsWith($"drogulus.{key} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsFrom_should_give_the_issue_9_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal(TimeSpan.FromSeconds(30), settings.FrameTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.WriteTimeout);
        Assert.Equal(256, settings.MaxConnections);
        Assert.Equal(64, settings.MaxRequestsInFlight);
        Assert.Equal(2 * 1024 * 1024, settings.OutgoingHighWater);
        Assert.Equal(256 * 1024, settings.OutgoingLowWater);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.LogWarningInterval);
        Assert.Equal(16000, settings.ProcessMaxConnections);
        Assert.Equal(1024, settings.DescriptorReserve);
        Assert.Equal(8, settings.MaxConcurrentHandshakes);

        // Issue 9, item 6 (t9m): memory per connection.
        Assert.Equal(4 * 1024, settings.TlsRecordSize);
    }

    [Fact]
    public void SettingsFrom_should_give_the_issue_10_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal(64 * 1024, settings.MaxItemSize);
        Assert.Equal(256L * 1024 * 1024, settings.MaxStoreBytes);
        Assert.Equal(1000, settings.MaxItemsPerPublisher);
        Assert.Equal(4096, settings.MaxRsaKeyBits);
        Assert.Equal(256, settings.AccessTimeBatch);
        Assert.Equal(200.0, settings.RateLimitPerSecond);
        Assert.Equal(400, settings.RateLimitBurst);
        Assert.Equal(10.0, settings.ConnectionRateLimitPerSecond);
        Assert.Equal(20, settings.ConnectionRateLimitBurst);
        Assert.Equal(Core.Limits.AddressSet.Parse(["127.0.0.0/8", "::1/128"]), settings.RateLimitExempt);
        Assert.True(settings.RateLimitExempt.Contains(System.Net.IPAddress.Parse("127.1.2.3")));
        Assert.True(settings.RateLimitExempt.Contains(System.Net.IPAddress.IPv6Loopback));
        Assert.False(settings.RateLimitExempt.Contains(System.Net.IPAddress.Parse("10.0.0.1")));
        Assert.Equal(10_000, settings.RateLimitMaxAddresses);
        Assert.Equal(new Core.Storage.StoreLimits(64 * 1024, 256L * 1024 * 1024, 1000, 256) { Lifetime = new(TimeSpan.FromHours(48), TimeSpan.FromMinutes(10)) }, settings.StoreLimits);
    }

    [Fact]
    public void SettingsFrom_should_give_the_third_edition_store_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal(TimeSpan.FromHours(48), settings.MaxItemAge);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.MaxClockSkew);
        Assert.True(settings.DiversityExemptPrivate);
        Assert.Equal(TimeSpan.FromHours(24), settings.KeepAliveInterval);
        Assert.Equal(new Core.Items.ItemLifetime(TimeSpan.FromHours(48), TimeSpan.FromMinutes(10)), settings.ItemLifetime);
        Assert.Equal(128 * 1024, settings.MaxFrameSize);
    }

    [Fact]
    public void Create_should_say_in_words_why_when_max_frame_size_leaves_no_room_for_the_largest_store()
    {
        var error = Assert.Throws<ConfigurationException>(() => DrogulusConfig.SettingsFrom("drogulus { max-item-size = 64 KiB, max-frame-size = 81919 B }"));

        Assert.Equal(
            "drogulus.max-frame-size must be at least max-item-size + 16 KiB, so that the largest store (its value and its other fields) fits in one frame; "
            + "it is 81919 bytes and max-item-size is 65536 bytes.",
            error.Message);
        Assert.Equal(80 * 1024, DrogulusConfig.SettingsFrom("drogulus { max-item-size = 64 KiB, max-frame-size = 80 KiB }").MaxFrameSize);
    }

    [Fact]
    public void SettingsFrom_should_give_the_hand_over_throttle_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal(50.0, settings.HandOverItemsPerSecond);
        Assert.Equal(4, settings.HandOverParallelism);
        Assert.Equal(2.0, settings.HandOverNewcomersPerSecond);
        Assert.Equal(64, settings.HandOverMaxQueuedNewcomers);
        Assert.Equal(new Core.Storage.HandOverLimits(50, 4, 2, 64), settings.HandOverLimits);
    }

    [Fact]
    public void SettingsFrom_should_give_the_address_group_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal(2, settings.MaxPerGroupInBucket);
        Assert.Equal(10, settings.MaxPerGroupInTable);
        Assert.Equal(3, settings.MaxPerGroupInReply);
        Assert.True(settings.DiversityExemptPrivate);
        Assert.Equal(3, settings.DisjointPaths);
        Assert.Equal(10_000, settings.MaxBlacklist);
        Assert.Equal(new Core.Routing.RoutingLimits(2, 10, true, 10_000), settings.RoutingLimits);
    }

    [Theory]
    [InlineData("off", false)]
    [InlineData("on", true)]
    [InlineData("false", false)]
    public void SettingsFrom_should_read_diversity_exempt_private_when_it_is_given(string value, bool expected)
    {
        Assert.Equal(expected, DrogulusConfig.SettingsFrom($"drogulus.diversity-exempt-private = {value}").DiversityExemptPrivate);
    }

    [Fact]
    public void SettingsFrom_should_give_the_heap_trim_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.False(settings.HeapTrimEnabled);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.HeapTrimCheckInterval);
        Assert.Equal(16 * 1024 * 1024, settings.HeapTrimBurstBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.HeapTrimMinInterval);
    }

    [Fact]
    public void SettingsFrom_should_give_the_reachability_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        // PROTOCOL §1, §10: nodes hosted in code are servers; the counts are the protocol's.
        Assert.Equal(ReachabilityMode.Server, settings.Reachability);
        Assert.Equal(4, settings.ReachabilityAddressReporters);
        Assert.Equal(3, settings.ReachabilityAddressGroups);
        Assert.Equal(4, settings.ReachabilitySuccesses);
        Assert.Equal(4, settings.ReachabilityFailures);
        Assert.Equal(8, settings.ReachabilityDialbacksPerTest);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.ReachabilitySleepThreshold);
        Assert.Equal(16, settings.DialbackMaxInFlight);
    }

    [Theory]
    [InlineData("server", ReachabilityMode.Server)]
    [InlineData("client", ReachabilityMode.Client)]
    [InlineData("auto", ReachabilityMode.Auto)]
    public void Create_should_read_each_reachability_mode(string text, ReachabilityMode mode)
    {
        Assert.Equal(mode, DrogulusConfig.SettingsFrom($"drogulus.reachability = {text}").Reachability);
    }

    [Fact]
    public void Reference_should_put_the_data_store_on_a_pool_of_two_threads_of_its_own()
    {
        var dispatcher = DrogulusConfig.Reference.GetConfig("drogulus.store-dispatcher");

        Assert.Equal("ForkJoinDispatcher", dispatcher.GetString("type"));
        Assert.Equal(100, dispatcher.GetInt("throughput"));
        Assert.Equal(2, dispatcher.GetInt("dedicated-thread-pool.thread-count"));
    }

    [Fact]
    public void SettingsFrom_should_read_an_empty_exempt_list_when_every_address_is_to_be_limited()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus.rate-limit-exempt = []");

        Assert.Empty(settings.RateLimitExempt.Networks);
        Assert.False(settings.RateLimitExempt.Contains(System.Net.IPAddress.Loopback));
    }

    [Fact]
    public void SettingsFrom_should_override_only_the_keys_given_when_a_partial_block_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom("drogulus { k = 8, alpha = 2, republish.parallelism = 1 }");

        var expected = DrogulusSettings.Create(ConfigurationFactory.ParseString("k = 8, alpha = 2, republish.parallelism = 1")
            .WithFallback(DrogulusConfig.Reference.GetConfig("drogulus")));
        Assert.Equal(expected, settings);
    }

    [Theory]
    [InlineData("k = 0", "k")]
    [InlineData("k = -3", "k")]
    [InlineData("k = many", "k")]
    [InlineData("alpha = 0", "alpha")]
    [InlineData("alpha = 21", "alpha")]
    [InlineData("k = 2, alpha = 3", "alpha")]
    [InlineData("request-timeout = 0s", "request-timeout")]
    [InlineData("request-timeout = -1s", "request-timeout")]
    [InlineData("request-timeout = soon", "request-timeout")]
    [InlineData("lookup-timeout = 0s", "lookup-timeout")]
    [InlineData("refresh-interval = 0s", "refresh-interval")]
    [InlineData("refresh-timeout = -10m", "refresh-timeout")]
    [InlineData("replicate-interval = 0s", "replicate-interval")]
    [InlineData("idle-timeout = 0s", "idle-timeout")]
    [InlineData("allowed-rpc-fails = 0", "allowed-rpc-fails")]
    [InlineData("max-frame-size = 100 B", "max-frame-size")]
    [InlineData("max-frame-size = 0", "max-frame-size")]
    [InlineData("max-frame-size = 4 GiB", "max-frame-size")]
    [InlineData("min-rsa-key-bits = 256", "min-rsa-key-bits")]
    [InlineData("created-with = \"\"", "created-with")]
    [InlineData("protocol-version = \"2.0\"", "protocol-version")]
    [InlineData("republish.items-per-second = 0", "republish.items-per-second")]
    [InlineData("republish.items-per-second = -5", "republish.items-per-second")]
    [InlineData("republish.parallelism = 0", "republish.parallelism")]
    [InlineData("transport = tcp", "transport")]
    [InlineData("connect-timeout = 0s", "connect-timeout")]
    [InlineData("handshake-timeout = -1s", "handshake-timeout")]
    [InlineData("listen.host = \"\"", "listen.host")]
    [InlineData("listen.port = -1", "listen.port")]
    [InlineData("listen.port = 65536", "listen.port")]
    [InlineData("frame-timeout = 0s", "frame-timeout")]
    [InlineData("write-timeout = -1s", "write-timeout")]
    [InlineData("max-connections = 0", "max-connections")]
    [InlineData("max-requests-in-flight = 0", "max-requests-in-flight")]
    [InlineData("outgoing-high-water = 64 KiB", "outgoing-high-water")]
    [InlineData("outgoing-low-water = 2 MiB", "outgoing-low-water")]
    [InlineData("log-warning-interval = 0s", "log-warning-interval")]
    [InlineData("process-max-connections = 0", "process-max-connections")]
    [InlineData("descriptor-reserve = -1", "descriptor-reserve")]
    [InlineData("max-concurrent-handshakes = 0", "max-concurrent-handshakes")]
    [InlineData("tls-record-size = 511 B", "tls-record-size")]
    [InlineData("tls-record-size = 17 KiB", "tls-record-size")]
    [InlineData("max-item-size = 0", "max-item-size")]
    [InlineData("max-item-size = 113 KiB", "max-frame-size")]
    [InlineData("max-frame-size = 64 KiB", "max-frame-size")]
    [InlineData("max-item-age = 0s", "max-item-age")]
    [InlineData("max-item-age = 3651d", "max-item-age")]
    [InlineData("max-clock-skew = -1s", "max-clock-skew")]
    [InlineData("max-item-age = 10m, max-clock-skew = 10m", "max-clock-skew")]
    [InlineData("diversity-exempt-private = maybe", "diversity-exempt-private")]
    [InlineData("keep-alive-interval = 0s", "keep-alive-interval")]
    [InlineData("keep-alive-interval = 48h", "keep-alive-interval")]
    [InlineData("max-store-bytes = 32 KiB", "max-store-bytes")]
    [InlineData("max-store-bytes = 0", "max-store-bytes")]
    [InlineData("max-items-per-publisher = 0", "max-items-per-publisher")]
    [InlineData("max-rsa-key-bits = 512", "max-rsa-key-bits")]
    [InlineData("max-rsa-key-bits = 32768", "max-rsa-key-bits")]
    [InlineData("access-time-batch = 0", "access-time-batch")]
    [InlineData("rate-limit.requests-per-second = 0", "rate-limit.requests-per-second")]
    [InlineData("rate-limit.burst = 0", "rate-limit.burst")]
    [InlineData("connection-rate-limit.connections-per-second = -1", "connection-rate-limit.connections-per-second")]
    [InlineData("connection-rate-limit.burst = 0", "connection-rate-limit.burst")]
    [InlineData("rate-limit-exempt = [\"not-a-network\"]", "rate-limit-exempt")]
    [InlineData("rate-limit-max-addresses = 0", "rate-limit-max-addresses")]
    [InlineData("heap-trim.check-interval = 500ms", "heap-trim.check-interval")]
    [InlineData("heap-trim.min-interval = 5s", "heap-trim.min-interval")]
    [InlineData("heap-trim.burst-bytes = 0", "heap-trim.burst-bytes")]
    [InlineData("heap-trim.enabled = maybe", "heap-trim.enabled")]
    [InlineData("hand-over.items-per-second = 0", "hand-over.items-per-second")]
    [InlineData("hand-over.items-per-second = 2000000", "hand-over.items-per-second")]
    [InlineData("hand-over.parallelism = 0", "hand-over.parallelism")]
    [InlineData("hand-over.parallelism = 1025", "hand-over.parallelism")]
    [InlineData("hand-over.newcomers-per-second = -1", "hand-over.newcomers-per-second")]
    [InlineData("hand-over.max-queued-newcomers = 0", "hand-over.max-queued-newcomers")]
    [InlineData("hand-over.max-queued-newcomers = 1000001", "hand-over.max-queued-newcomers")]
    [InlineData("max-per-group-in-bucket = 0", "max-per-group-in-bucket")]
    [InlineData("max-per-group-in-bucket = 1001", "max-per-group-in-bucket")]
    [InlineData("max-per-group-in-table = 1", "max-per-group-in-table")]
    [InlineData("max-per-group-in-reply = 0", "max-per-group-in-reply")]
    [InlineData("disjoint-paths = 0", "disjoint-paths")]
    [InlineData("disjoint-paths = 65", "disjoint-paths")]
    [InlineData("max-blacklist = 0", "max-blacklist")]
    [InlineData("max-blacklist = 10000001", "max-blacklist")]
    [InlineData("join.timeout = 0s", "join.timeout")]
    [InlineData("rate-limit.group-multiple = 0", "rate-limit.group-multiple")]
    [InlineData("rate-limit.wide-block-multiple = 4", "rate-limit.wide-block-multiple")]
    [InlineData("connection-rate-limit.group-multiple = 10001", "connection-rate-limit.group-multiple")]
    [InlineData("connection-rate-limit.wide-block-multiple = 7", "connection-rate-limit.wide-block-multiple")]
    [InlineData("max-partial-frame-bytes = 1 KiB", "max-partial-frame-bytes")]
    [InlineData("max-partial-frame-bytes = 2 GiB", "max-partial-frame-bytes")]
    [InlineData("max-spare-frame-bytes = 1025 MiB", "max-spare-frame-bytes")]
    [InlineData("hello-timeout = 0s", "hello-timeout")]
    [InlineData("max-accepted-per-group = 0", "max-accepted-per-group")]
    [InlineData("accepted-handshake-rate.handshakes-per-second = 0", "accepted-handshake-rate.handshakes-per-second")]
    [InlineData("accepted-handshake-rate.burst = 0", "accepted-handshake-rate.burst")]
    [InlineData("max-pending-admissions = 0", "max-pending-admissions")]
    [InlineData("reachability = sometimes", "reachability")]
    [InlineData("reachability-test.address-reporters = 0", "reachability-test.address-reporters")]
    [InlineData("reachability-test.address-groups = 5", "reachability-test.address-groups")]
    [InlineData("reachability-test.successes = 0", "reachability-test.successes")]
    [InlineData("reachability-test.failures = 0", "reachability-test.failures")]
    [InlineData("reachability-test.dialbacks-per-test = 3", "reachability-test.dialbacks-per-test")]
    [InlineData("reachability-test.sleep-threshold = 60", "reachability-test.sleep-threshold")]
    [InlineData("dialback-max-in-flight = 0", "dialback-max-in-flight")]
    // Issue 12: upper bounds on sizes and counts, and durations without a unit.
    [InlineData("k = 1001, alpha = 3", "k")]
    [InlineData("allowed-rpc-fails = 101", "allowed-rpc-fails")]
    [InlineData("max-frame-size = 1 GiB", "max-frame-size")]
    [InlineData("max-frame-size = 65 MiB", "max-frame-size")]
    [InlineData("republish.items-per-second = 2000000", "republish.items-per-second")]
    [InlineData("republish.parallelism = 1025", "republish.parallelism")]
    [InlineData("max-connections = 1000001", "max-connections")]
    [InlineData("max-requests-in-flight = 1000001", "max-requests-in-flight")]
    [InlineData("outgoing-high-water = 1 GiB", "outgoing-high-water")]
    [InlineData("max-store-bytes = 2 TiB", "max-store-bytes")]
    [InlineData("max-items-per-publisher = 100000001", "max-items-per-publisher")]
    [InlineData("rate-limit.requests-per-second = 1e7", "rate-limit.requests-per-second")]
    [InlineData("rate-limit.burst = 10000001", "rate-limit.burst")]
    [InlineData("connection-rate-limit.connections-per-second = 1e7", "connection-rate-limit.connections-per-second")]
    [InlineData("connection-rate-limit.burst = 10000001", "connection-rate-limit.burst")]
    [InlineData("request-timeout = 5", "request-timeout")]
    [InlineData("lookup-timeout = 60", "lookup-timeout")]
    [InlineData("rebind.max-backoff = 60000", "rebind.max-backoff")]
    public void Create_should_reject_nonsense_naming_the_key_when_a_value_is_out_of_range(string setting, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => DrogulusConfig.SettingsFrom($"drogulus {{ {setting} }}"));

        Assert.StartsWith($"drogulus.{key} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_should_name_the_missing_key_when_the_block_lacks_one()
    {
        var withoutAlpha = ConfigurationFactory.ParseString(string.Join('\n', DrogulusConfigLines().Where(l => !l.StartsWith("alpha", StringComparison.Ordinal))));

        var error = Assert.Throws<ConfigurationException>(() => DrogulusSettings.Create(withoutAlpha));

        Assert.Equal("drogulus.alpha is missing.", error.Message);
    }

    // Issue 12: one version (Directory.Build.props) for the packages and for created-with.
    [Fact]
    public void SettingsFrom_should_write_the_package_version_into_created_with_when_no_config_is_given()
    {
        var actors = typeof(DrogulusSettings).Assembly.GetName().Version!;
        var core = typeof(Core.Items.SignedItem).Assembly.GetName().Version!;
        var expected = $"Drogulus.Actors {actors.Major}.{actors.Minor}";

        Assert.Equal(actors, core);
        Assert.Equal(expected, DrogulusConfig.SettingsFrom((Config?)null).CreatedWith);
        Assert.Equal(Core.Items.SignedItem.DefaultCreatedWith, expected);
    }

    [Fact]
    public void Create_should_accept_a_complete_block_without_reference_conf()
    {
        var settings = DrogulusSettings.Create(ConfigurationFactory.ParseString(string.Join('\n', DrogulusConfigLines())));

        Assert.Equal(DrogulusConfig.SettingsFrom("drogulus.created-with = x"), settings);
    }

    [Theory]
    [InlineData("drogulus.kk = 3", "drogulus.kk ")]
    [InlineData("drogulus.listen.hots = \"127.0.0.1\"", "drogulus.listen.hots ")]
    [InlineData("drogulus.republish = 5", "drogulus.republish ")]
    public void SettingsFrom_should_refuse_a_key_that_is_not_a_setting_when_it_is_misspelt(string hocon, string expectedStart)
    {
        var error = Assert.Throws<ConfigurationException>(() => DrogulusConfig.SettingsFrom(hocon));

        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_should_refuse_an_empty_block_when_reference_conf_was_not_loaded()
    {
        Assert.Throws<ConfigurationException>(() => DrogulusSettings.Create(Config.Empty));
    }

    // Issue 26: the routing table on disk.
    [Fact]
    public void SettingsFrom_should_give_the_issue_26_defaults_when_no_config_is_given()
    {
        var settings = DrogulusConfig.SettingsFrom((Config?)null);

        Assert.Equal("", settings.RoutingTableFile);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.RoutingTableSaveInterval);
        Assert.Equal(32, settings.RoutingTableSaveAfterChanges);
        Assert.Equal("", settings.IdentityFile);
        Assert.Equal("", settings.SqliteStore);
    }

    [Theory]
    [InlineData("drogulus.routing-table.save-interval = 0s", "drogulus.routing-table.save-interval")]
    [InlineData("drogulus.routing-table.save-interval = 5", "drogulus.routing-table.save-interval")]
    [InlineData("drogulus.routing-table.save-after-changes = 0", "drogulus.routing-table.save-after-changes")]
    [InlineData("drogulus.routing-table.save-after-changes = 1000001", "drogulus.routing-table.save-after-changes")]
    public void SettingsFrom_should_refuse_a_routing_table_setting_out_of_bounds(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => DrogulusConfig.SettingsFrom(hocon));

        Assert.StartsWith(key + " ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrogulusSettings_should_have_no_public_setter_so_that_every_value_passes_Create()
    {
        // A public init setter would let `settings with { K = 0 }` build settings nobody validated.
        var settable = typeof(DrogulusSettings).GetProperties()
            .Where(p => p.SetMethod is { IsPublic: true } || p.SetMethod is { IsAssembly: true })
            .Select(p => p.Name);

        Assert.Empty(settable);
        Assert.Empty(typeof(DrogulusSettings).GetConstructors());
    }

    private static IEnumerable<string> DrogulusConfigLines() =>
    [
        "k = 20", "alpha = 3", "request-timeout = 5s", "lookup-timeout = 60s", "refresh-interval = 10m",
        "refresh-timeout = 1h", "replicate-interval = 1h", "allowed-rpc-fails = 5", "max-frame-size = 128 KiB",
        "idle-timeout = 2m", "min-rsa-key-bits = 1024", "created-with = x", "protocol-version = \"1.0\"",
        "republish.items-per-second = 50", "republish.parallelism = 4", "transport = tls",
        "listen.host = \"127.0.0.1\"", "listen.port = 0", "connect-timeout = 5s", "handshake-timeout = 5s",
        "rebind.min-backoff = 1s", "rebind.max-backoff = 1m", "join.seed-attempts = 5", "join.retry-delay = 1s", "join.timeout = 3m",
        "frame-timeout = 30s", "write-timeout = 10s", "max-connections = 256", "max-requests-in-flight = 64",
        "outgoing-high-water = 2 MiB", "outgoing-low-water = 256 KiB", "log-warning-interval = 10s",
        "process-max-connections = 16000", "descriptor-reserve = 1024", "max-concurrent-handshakes = 8",
        "tls-record-size = 4 KiB",

        // Issue 10
        "max-item-size = 64 KiB", "max-store-bytes = 256 MiB", "max-items-per-publisher = 1000", "max-rsa-key-bits = 4096",
        "access-time-batch = 256", "rate-limit.requests-per-second = 200", "rate-limit.burst = 400",
        "connection-rate-limit.connections-per-second = 10", "connection-rate-limit.burst = 20",
        "rate-limit-exempt = [\"127.0.0.0/8\", \"::1/128\"]", "rate-limit-max-addresses = 10000",
        "hand-over.items-per-second = 50", "hand-over.parallelism = 4", "hand-over.newcomers-per-second = 2",
        "hand-over.max-queued-newcomers = 64",

        // Among Sybils
        "max-per-group-in-bucket = 2", "max-per-group-in-table = 10", "max-per-group-in-reply = 3",
        "diversity-exempt-private = on", "disjoint-paths = 3", "max-blacklist = 10000",
        // Issue 23
        "lookup-stall.enabled = on", "lookup-stall.floor = 250ms", "lookup-stall.ceiling = 2s", "lookup-stall.percentile = 90",
        "lookup-stall.samples = 128",
        "max-item-age = 48h", "max-clock-skew = 10m", "keep-alive-interval = 24h",
        "heap-trim.enabled = off", "heap-trim.check-interval = 10s", "heap-trim.burst-bytes = 16 MiB", "heap-trim.min-interval = 60s",
        // Issue 21
        "rate-limit.group-multiple = 8", "rate-limit.wide-block-multiple = 32", "connection-rate-limit.group-multiple = 8",
        "connection-rate-limit.wide-block-multiple = 32", "max-spare-frame-bytes = 4 MiB",
        "max-partial-frame-bytes = 32 MiB", "hello-timeout = 2s", "max-accepted-per-group = 32", "max-pending-admissions = 256",
        "accepted-handshake-rate.handshakes-per-second = 100", "accepted-handshake-rate.burst = 100",
        // Issue 26
        "routing-table.file = \"\"", "routing-table.save-interval = 1m", "routing-table.save-after-changes = 32",
        "identity-file = \"\"", "sqlite-store = \"\"",
        // Issue 22
        "reachability = server", "reachability-test.address-reporters = 4", "reachability-test.address-groups = 3",
        "reachability-test.successes = 4", "reachability-test.failures = 4", "reachability-test.dialbacks-per-test = 8",
        "reachability-test.sleep-threshold = 1m", "dialback-max-in-flight = 16",
    ];
}
