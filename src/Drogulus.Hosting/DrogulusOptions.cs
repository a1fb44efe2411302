using System.Globalization;
using System.Text;
using Akka.Configuration;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Core.Storage;

namespace Drogulus.Hosting;

/// <summary>
/// What <see cref="DrogulusHostingExtensions.WithDrogulusNode(Akka.Hosting.AkkaConfigurationBuilder, Action{DrogulusOptions}?)"/>
/// starts, as typed options that bind from <c>IConfiguration</c> (a <c>"Drogulus"</c> section of
/// appsettings.json, environment variables such as <c>Drogulus__K</c>, ...). Each property that is set
/// overrides its HOCON key; the layers, lowest first: <c>hocon/reference.conf</c>, the actor system's own
/// <c>drogulus { }</c> block, <see cref="Hocon"/>, then the typed properties. The result is validated by
/// <see cref="DrogulusSettings.Create"/>, whose errors name the HOCON key (<see cref="ToHocon"/> shows the mapping).
/// </summary>
public sealed class DrogulusOptions
{
    /// <summary><c>drogulus.k</c>: bucket size and replication count.</summary>
    public int? K { get; set; }

    /// <summary><c>drogulus.alpha</c>: RPCs one lookup keeps in flight.</summary>
    public int? Alpha { get; set; }

    /// <summary><c>drogulus.request-timeout</c>.</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary><c>drogulus.lookup-timeout</c>.</summary>
    public TimeSpan? LookupTimeout { get; set; }

    /// <summary><c>drogulus.refresh-interval</c>; also the window of the health check's "a contact answered".</summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary><c>drogulus.refresh-timeout</c>.</summary>
    public TimeSpan? RefreshTimeout { get; set; }

    /// <summary><c>drogulus.replicate-interval</c>.</summary>
    public TimeSpan? ReplicateInterval { get; set; }

    /// <summary><c>drogulus.idle-timeout</c>.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary><c>drogulus.max-frame-size</c>, in bytes.</summary>
    public long? MaxFrameSize { get; set; }

    /// <summary><c>drogulus.max-item-size</c>, in bytes.</summary>
    public long? MaxItemSize { get; set; }

    /// <summary><c>drogulus.max-store-bytes</c>, in bytes.</summary>
    public long? MaxStoreBytes { get; set; }

    /// <summary><c>drogulus.max-items-per-publisher</c>.</summary>
    public int? MaxItemsPerPublisher { get; set; }

    /// <summary><c>drogulus.max-connections</c>.</summary>
    public int? MaxConnections { get; set; }

    /// <summary><c>drogulus.transport</c>: <c>"tls"</c> or <c>"memory"</c> (used when <see cref="TransportFactory"/> is null).</summary>
    public string? Transport { get; set; }

    /// <summary><c>drogulus.listen.host</c>.</summary>
    public string? ListenHost { get; set; }

    /// <summary><c>drogulus.listen.port</c> (0: a free port, reported by <c>NodeStatus</c>).</summary>
    public int? ListenPort { get; set; }

    /// <summary>
    /// <c>drogulus.identity-file</c>: the node's identity as a PKCS#12 file encrypted with <see cref="IdentityPassphrase"/>
    /// (the command-line node's <c>node-identity.pfx</c> works), made on first start, so that the node keeps its id.
    /// </summary>
    public string? IdentityFile { get; set; }

    /// <summary>The passphrase of <see cref="IdentityFile"/> (bind it from a secret store or the environment, e.g. <c>Drogulus__IdentityPassphrase</c>; never written into HOCON).</summary>
    public string? IdentityPassphrase { get; set; }

    /// <summary><c>drogulus.sqlite-store</c>: the SQLite file of the node's items, so that they survive a restart.</summary>
    public string? SqliteStore { get; set; }

    /// <summary><c>drogulus.routing-table.file</c>: the routing table, saved while the node runs and at stop, loaded at start (a node without seeds rejoins through it).</summary>
    public string? RoutingTableFile { get; set; }

    /// <summary>More HOCON for the <c>drogulus { }</c> block (full paths, <c>drogulus.k = 8</c>), under the typed properties.</summary>
    public string? Hocon { get; set; }

    /// <summary>Seeds (<c>host:port</c> or <c>&lt;id hex&gt;@host:port</c>) the node joins through once started; none when empty.</summary>
    public IList<string> Seeds { get; set; } = new List<string>();

    /// <summary>Name of the node actor.</summary>
    public string ActorName { get; set; } = "drogulus-node";

    /// <summary>How long the health check waits for the node's answer (the node may ping contacts first).</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The node's identity; when null, the one in <see cref="IdentityFile"/>, else a new one. Not bound from configuration.</summary>
    public NodeIdentity? Identity { get; set; }

    /// <summary>How the node reaches peers; when null, TLS or a new <see cref="MemoryNetwork"/> as <see cref="Transport"/> says. Not bound from configuration.</summary>
    public ITransportFactory? TransportFactory { get; set; }

    /// <summary>Where items are kept; when null, the SQLite file of <see cref="SqliteStore"/>, else memory. Not bound from configuration.</summary>
    public IItemStore? Store { get; set; }

    /// <summary>The typed properties that are set, as a HOCON <c>drogulus { }</c> block (empty when none is).</summary>
    public string ToHocon()
    {
        var lines = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                lines.Append("drogulus.").Append(key).Append(" = ").Append(value).Append('\n');
            }
        }

        Add("k", Number(K));
        Add("alpha", Number(Alpha));
        Add("request-timeout", Duration(RequestTimeout));
        Add("lookup-timeout", Duration(LookupTimeout));
        Add("refresh-interval", Duration(RefreshInterval));
        Add("refresh-timeout", Duration(RefreshTimeout));
        Add("replicate-interval", Duration(ReplicateInterval));
        Add("idle-timeout", Duration(IdleTimeout));
        Add("max-frame-size", Number(MaxFrameSize));
        Add("max-item-size", Number(MaxItemSize));
        Add("max-store-bytes", Number(MaxStoreBytes));
        Add("max-items-per-publisher", Number(MaxItemsPerPublisher));
        Add("max-connections", Number(MaxConnections));
        Add("transport", Quoted(Transport));
        Add("listen.host", Quoted(ListenHost));
        Add("listen.port", Number(ListenPort));
        Add("identity-file", Quoted(IdentityFile));
        Add("sqlite-store", Quoted(SqliteStore));
        Add("routing-table.file", Quoted(RoutingTableFile));
        return lines.ToString();
    }

    /// <summary>
    /// The node's settings: the typed properties over <see cref="Hocon"/> over the <c>drogulus</c> block of
    /// <paramref name="systemConfig"/> (a whole configuration, such as the actor system's) over reference.conf, validated.
    /// </summary>
    /// <exception cref="ConfigurationException">naming the HOCON key of a value out of bounds, or a line of <see cref="Hocon"/> that does not parse.</exception>
    public DrogulusSettings ToSettings(Config? systemConfig = null)
    {
        var typed = ToHocon();
        var config = typed.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(typed);
        if (!string.IsNullOrWhiteSpace(Hocon))
        {
            config = config.WithFallback(ConfigurationFactory.ParseString(Hocon));
        }

        if (systemConfig is not null)
        {
            config = config.WithFallback(systemConfig);
        }

        return DrogulusConfig.SettingsFrom(config);
    }

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    // Whole milliseconds when exact, else microseconds: HOCON reads both, and a unit is always written.
    private static string? Duration(TimeSpan? value) => value is not { } span ? null
        : span.Ticks % TimeSpan.TicksPerMillisecond == 0 ? (span.Ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture) + "ms"
        : (span.Ticks / 10).ToString(CultureInfo.InvariantCulture) + "us";

    private static string? Quoted(string? text) => text is null ? null
        : "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
