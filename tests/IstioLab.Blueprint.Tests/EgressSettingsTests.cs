using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary><c>istio-lab:egress</c> and <c>istio-lab:egressHosts</c>: what they accept, what they refuse, and how they say it.</summary>
public class EgressSettingsTests
{
    internal static LabSettings Settings(string hosts, string mode = "allow-list", string variant = "all-in-one", string checks = "true", string authorization = "open") =>
        LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:egress"] = mode,
            ["istio-lab:egressHosts"] = hosts,
            ["istio-lab:storeVariant"] = variant,
            ["istio-lab:checks"] = checks,
            ["istio-lab:authorization"] = authorization,
        });

    private static IReadOnlyList<SettingError> Errors(string hosts, string mode = "allow-list", string checks = "true") =>
        Assert.Throws<LabSettingsException>(() => Settings(hosts, mode, checks: checks)).Errors;

    [Fact]
    public void EgressIsOpenWithNoHostsByDefault()
    {
        var settings = LabSettings.Defaults;

        Assert.Equal(EgressMode.Open, settings.Egress);
        Assert.Equal("open", settings.EgressName);
        Assert.Empty(settings.EgressHosts);
    }

    [Fact]
    public void AnAllowListMayBeEmpty()
    {
        var settings = Settings("");

        Assert.Equal(EgressMode.AllowList, settings.Egress);
        Assert.Equal("allow-list", settings.EgressName);
        Assert.Empty(settings.EgressHosts);
    }

    [Fact]
    public void HostsAreReadInOrderWithPort443UnlessOneIsGiven()
    {
        var settings = Settings(" api.example.com , *.blob.core.windows.net,httpbin.org:80,api.example.com:8443");

        Assert.Equal(
            [new EgressHost("api.example.com", 443), new EgressHost("*.blob.core.windows.net", 443), new EgressHost("httpbin.org", 80), new EgressHost("api.example.com", 8443)],
            settings.EgressHosts);
    }

    [Theory]
    [InlineData("api.example.com", 443, "TLS", "https://api.example.com/")]
    [InlineData("api.example.com", 8443, "TLS", "https://api.example.com:8443/")]
    [InlineData("httpbin.org", 80, "HTTP", "http://httpbin.org/")]
    [InlineData("*.blob.core.windows.net", 443, "TLS", null)]
    public void ThePortDecidesTheProtocolAndTheUrl(string host, int port, string protocol, string? url)
    {
        var entry = new EgressHost(host, port);

        Assert.Equal(protocol, entry.Protocol);
        Assert.Equal(url, entry.Url);
    }

    [Theory]
    [InlineData("API.example.com", "lowercase")]
    [InlineData("*", "a wildcard only as a leading '*.'")]
    [InlineData("api.*.example.com", "a wildcard only as a leading '*.'")]
    [InlineData("api*.example.com", "a wildcard only as a leading '*.'")]
    [InlineData("*.*.example.com", "a wildcard only as a leading '*.'")]
    [InlineData("-api.example.com", "a DNS-1123 name")]
    [InlineData("api..example.com", "a DNS-1123 name")]
    [InlineData("api_v2.example.com", "a DNS-1123 name")]
    [InlineData("localhost", "a fully qualified name of at least two labels")]
    [InlineData("*.com", "a wildcard below a domain of at least two labels")]
    [InlineData("10.0.0.1", "a DNS name, not an IP address")]
    [InlineData("store-front.pets.svc.cluster.local", "an external name")]
    [InlineData("api.example.com:0", "a port from 1 to 65535")]
    [InlineData("api.example.com:65536", "a port from 1 to 65535")]
    [InlineData("api.example.com:0443", "a port from 1 to 65535")]
    [InlineData("api.example.com:https", "a port from 1 to 65535")]
    [InlineData("api.example.com:", "a port from 1 to 65535")]
    [InlineData("https://api.example.com", "a port from 1 to 65535")]
    public void AnEntryThatIsNotAHostIsRefusedWithTheRuleItBreaks(string entry, string rule)
    {
        var error = Assert.Single(Errors(entry));

        Assert.Equal("istio-lab:egressHosts", error.Key);
        Assert.Equal(entry, error.Value);
        Assert.Contains("must be " + rule, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ALabelOf64CharactersIsRefusedAndOneOf63Accepted()
    {
        Assert.Single(Errors(new string('a', 64) + ".example.com"));
        Assert.Equal(new string('a', 63) + ".example.com", Assert.Single(Settings(new string('a', 63) + ".example.com").EgressHosts).Host);
    }

    [Fact]
    public void PortsAtTheEdgesOfTheRangeAreAccepted()
    {
        Assert.Equal([1, 65535], Settings("api.example.com:1,api.example.com:65535").EgressHosts.Select(h => h.Port));
    }

    [Fact]
    public void AHostAndPortListedTwiceIsRefusedEvenWhenThePortIsLeftOutOnce()
    {
        var error = Assert.Single(Errors("api.example.com,httpbin.org:80,api.example.com:443"));

        Assert.Equal("api.example.com:443", error.Value);
        Assert.Contains("twice", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyEntryIsRefused()
    {
        var error = Assert.Single(Errors("api.example.com,,httpbin.org"));

        Assert.Equal("", error.Value);
        Assert.Contains("empty entry", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com:80")]
    public void AListThatCoversTheChecksUnlistedHostIsRefusedWhileTheChecksRun(string entry)
    {
        var error = Assert.Single(Errors(entry));

        Assert.Contains("covers example.com", error.Problem, StringComparison.Ordinal);
        Assert.Contains("istio-lab:checks", error.Problem, StringComparison.Ordinal);
        Assert.Equal(entry.Split(':')[0], Assert.Single(Settings(entry, checks: "false").EgressHosts).Host);
    }

    [Theory]
    [InlineData("*.example.com")]
    [InlineData("www.example.com")]
    [InlineData("example.com:8443")]
    public void HostsBesideTheChecksUnlistedHostAreAccepted(string entry)
    {
        Assert.Single(Settings(entry).EgressHosts);
    }

    [Fact]
    public void AWildcardCoversNamesBelowItsDomainButNotTheDomainItself()
    {
        var wildcard = new EgressHost("*.example.com", 443);

        Assert.True(wildcard.Covers("www.example.com", 443));
        Assert.True(wildcard.Covers("a.b.example.com", 443));
        Assert.False(wildcard.Covers("example.com", 443));
        Assert.False(wildcard.Covers("badexample.com", 443));
        Assert.False(wildcard.Covers("www.example.com", 80));
    }

    [Fact]
    public void HostsWithEgressOpenAreRefused()
    {
        var error = Assert.Single(Errors("api.example.com", mode: "open"));

        Assert.Equal("istio-lab:egressHosts", error.Key);
        Assert.Contains("applies only with istio-lab:egress=allow-list", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownModeIsRefusedWithTheAllowedOnes()
    {
        var error = Assert.Single(Errors("", mode: "closed"));

        Assert.Equal(("istio-lab:egress", "closed"), (error.Key, error.Value));
        Assert.Contains("one of: open, allow-list", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var errors = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:egress"] = "allow-list",
            ["istio-lab:egressHosts"] = "API.example.com,api.example.com:99999,*,ok.example.com,ok.example.com,example.com",
            ["istio-lab:nodeCount"] = "0",
        })).Errors;

        Assert.Equal(
            ["istio-lab:nodeCount", "istio-lab:egressHosts", "istio-lab:egressHosts", "istio-lab:egressHosts", "istio-lab:egressHosts", "istio-lab:egressHosts"],
            errors.Select(e => e.Key));
        Assert.Equal(["API.example.com", "api.example.com:99999", "*", "ok.example.com", "example.com"], errors.Skip(1).Select(e => e.Value));
    }
}
