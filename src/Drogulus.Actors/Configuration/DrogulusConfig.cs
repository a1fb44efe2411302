using Akka.Configuration;

namespace Drogulus.Actors.Configuration;

/// <summary>The embedded <c>hocon/reference.conf</c>.</summary>
public static class DrogulusConfig
{
    private static readonly Lazy<Config> ReferenceConfig = new(Load);

    /// <summary>The reference configuration: every default, with the Hyperion binding.</summary>
    public static Config Reference => ReferenceConfig.Value;

    /// <summary>Settings from <paramref name="config"/>'s <c>drogulus</c> block over the reference defaults.</summary>
    public static DrogulusSettings SettingsFrom(Config? config) =>
        DrogulusSettings.Create((config ?? Config.Empty).WithFallback(Reference).GetConfig("drogulus"));

    /// <summary>Settings from a HOCON text (for tests and samples), over the reference defaults.</summary>
    public static DrogulusSettings SettingsFrom(string hocon) => SettingsFrom(ConfigurationFactory.ParseString(hocon));

    private static Config Load()
    {
        using var stream = typeof(DrogulusConfig).Assembly.GetManifestResourceStream("Drogulus.Actors.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Drogulus.Actors.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
