using Akka.Configuration;
using Drogulus.Actors.Configuration;
using Microsoft.Extensions.Configuration;

namespace Drogulus.Hosting.Tests;

public sealed class DrogulusOptionsTests
{
    private static DrogulusOptions Bind(params (string Key, string Value)[] pairs)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>("Drogulus:" + p.Key, p.Value)))
            .Build();
        var options = new DrogulusOptions();
        configuration.GetSection("Drogulus").Bind(options);
        return options;
    }

    [Fact]
    public void Options_should_override_the_reference_defaults_when_bound_from_configuration()
    {
        var options = Bind(("K", "8"), ("Alpha", "2"), ("RequestTimeout", "00:00:02"), ("MaxStoreBytes", "1048576"),
            ("ListenHost", "127.0.0.2"), ("ListenPort", "4100"), ("Seeds:0", "127.0.0.1:4000"));

        var settings = options.ToSettings();

        Assert.Equal(8, settings.K);
        Assert.Equal(2, settings.Alpha);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.RequestTimeout);
        Assert.Equal(1048576, settings.MaxStoreBytes);
        Assert.Equal("127.0.0.2", settings.ListenHost);
        Assert.Equal(4100, settings.ListenPort);
        Assert.Equal(["127.0.0.1:4000"], options.Seeds);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.LookupTimeout); // not set: reference.conf
    }

    [Fact]
    public void Options_should_keep_every_reference_default_when_nothing_is_set()
    {
        var options = new DrogulusOptions();

        Assert.Equal("", options.ToHocon());
        var defaults = DrogulusConfig.SettingsFrom(Config.Empty);
        var settings = options.ToSettings();
        Assert.Equal((defaults.K, defaults.Alpha, defaults.RequestTimeout, defaults.MaxStoreBytes, defaults.ListenPort), (settings.K, settings.Alpha, settings.RequestTimeout, settings.MaxStoreBytes, settings.ListenPort));
    }

    [Fact]
    public void Typed_options_should_win_over_hocon_which_wins_over_the_system_config()
    {
        var system = ConfigurationFactory.ParseString("drogulus { k = 12, alpha = 4, lookup-timeout = 30s }");
        var options = new DrogulusOptions { Hocon = "drogulus { k = 10, alpha = 5 }", K = 9 };

        var settings = options.ToSettings(system);

        Assert.Equal(9, settings.K);
        Assert.Equal(5, settings.Alpha);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.LookupTimeout);
    }

    [Fact]
    public void Options_should_render_durations_with_a_unit_and_quote_text()
    {
        var options = new DrogulusOptions
        {
            RequestTimeout = TimeSpan.FromMilliseconds(1500),
            LookupTimeout = TimeSpan.FromTicks(15),
            ListenHost = "a\"b",
        };

        Assert.Equal(
            "drogulus.request-timeout = 1500ms\ndrogulus.lookup-timeout = 1us\ndrogulus.listen.host = \"a\\\"b\"\n",
            options.ToHocon());
    }

    [Theory]
    [InlineData("K", "0", "drogulus.k")]
    [InlineData("MaxFrameSize", "1099511627776", "drogulus.max-frame-size")]
    [InlineData("RequestTimeout", "-00:00:01", "drogulus.request-timeout")]
    public void Options_should_be_refused_naming_the_hocon_key_when_a_value_is_out_of_bounds(string key, string value, string named)
    {
        var options = Bind((key, value));

        var error = Assert.Throws<ConfigurationException>(() => options.ToSettings());
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
