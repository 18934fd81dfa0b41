using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

public class HttpsSettingsTests
{
    private static Dictionary<string, string?> Config(params (string Key, string? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    private static LabSettingsException Refused(params (string Key, string? Value)[] entries) =>
        Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(entries)));

    [Fact]
    public void HttpsIsOffByDefaultWithStagingAndNoEmail()
    {
        var https = LabSettings.Defaults.Https;

        Assert.Equal(HttpsMode.Off, https.Mode);
        Assert.False(https.Enabled);
        Assert.Equal(AcmeServer.Staging, https.Acme);
        Assert.Null(https.AcmeEmail);
    }

    [Theory]
    [InlineData("off", HttpsMode.Off)]
    [InlineData("self-signed", HttpsMode.SelfSigned)]
    [InlineData("lets-encrypt", HttpsMode.LetsEncrypt)]
    public void EachHttpsModeIsReadFromItsConfigSpelling(string text, HttpsMode mode)
    {
        Assert.Equal(mode, LabSettings.Parse(Config(("istio-lab:https", text))).Https.Mode);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("letsencrypt")]
    [InlineData("Self-Signed")]
    public void AnUnknownHttpsModeIsRefusedNamingTheKeyValueAndAllowedValues(string text)
    {
        var error = Assert.Single(Refused(("istio-lab:https", text)).Errors);

        Assert.Equal("istio-lab:https", error.Key);
        Assert.Equal(text, error.Value);
        Assert.Contains("off, self-signed, lets-encrypt", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultDnsLabelIsDerivedFromTheStacksNamesAndIsStable()
    {
        var first = LabSettings.Parse(Config(("istio-lab:https", "self-signed"))).Https;
        var second = LabSettings.Parse(Config(("istio-lab:https", "self-signed"))).Https;

        Assert.Equal(first.DnsLabel, second.DnsLabel);
        Assert.Matches("^istio-lab-aks-[0-9a-f]{8}$", first.DnsLabel);
        Assert.Equal($"{first.DnsLabel}.westeurope.cloudapp.azure.com", first.Fqdn);
        Assert.Equal($"https://{first.Fqdn}/", first.StoreUrl);
    }

    [Theory]
    [InlineData("istio-lab:resourceGroupName", "other-rg")]
    [InlineData("istio-lab:clusterName", "other-aks")]
    [InlineData("azure-native:location", "eastus2")]
    public void TheDerivedDnsLabelChangesWithTheResourceGroupClusterOrLocation(string key, string value)
    {
        var before = LabSettings.Parse(Config(("istio-lab:https", "self-signed"))).Https.DnsLabel;
        var after = LabSettings.Parse(Config(("istio-lab:https", "self-signed"), (key, value))).Https.DnsLabel;

        Assert.NotEqual(before, after);
    }

    [Theory]
    [InlineData("Mesh_01")]
    [InlineData("9lives")]
    [InlineData("_")]
    [InlineData("a-very-long-cluster-name-that-goes-on-and-on-well-past-what-fits")]
    public void TheDerivedDnsLabelIsValidForAnyValidClusterName(string cluster)
    {
        var label = LabSettings.DerivedDnsLabel("rg", cluster, "westeurope");

        Assert.InRange(label.Length, LabSettings.MinDnsLabelLength, LabSettings.MaxDnsLabelLength);
        Assert.Matches("^[a-z][a-z0-9-]*[a-z0-9]$", label);
        var parsed = LabSettings.Parse(Config(("istio-lab:https", "self-signed"), ("istio-lab:dnsLabel", label)));
        Assert.Equal(label, parsed.Https.DnsLabel);
    }

    [Fact]
    public void AConfiguredDnsLabelIsUsedAsIs()
    {
        var https = LabSettings.Parse(Config(("istio-lab:https", "lets-encrypt"), ("istio-lab:dnsLabel", "my-shop"), ("azure-native:location", "eastus2"))).Https;

        Assert.Equal("my-shop.eastus2.cloudapp.azure.com", https.Fqdn);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1shop")]
    [InlineData("shop-")]
    [InlineData("My-Shop")]
    [InlineData("my_shop")]
    [InlineData("my.shop")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void AnInvalidDnsLabelIsRefusedWithAzuresRule(string label)
    {
        var error = Assert.Single(Refused(("istio-lab:https", "self-signed"), ("istio-lab:dnsLabel", label)).Errors);

        Assert.Equal("istio-lab:dnsLabel", error.Key);
        Assert.Equal(label, error.Value);
        Assert.Contains("3-63 characters", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("staging", AcmeServer.Staging)]
    [InlineData("production", AcmeServer.Production)]
    public void EachAcmeServerIsReadFromItsConfigSpelling(string text, AcmeServer server)
    {
        Assert.Equal(server, LabSettings.Parse(Config(("istio-lab:https", "lets-encrypt"), ("istio-lab:acmeServer", text))).Https.Acme);
    }

    [Fact]
    public void AnUnknownAcmeServerIsRefusedNamingTheAllowedValues()
    {
        var error = Assert.Single(Refused(("istio-lab:https", "lets-encrypt"), ("istio-lab:acmeServer", "prod")).Errors);

        Assert.Equal("istio-lab:acmeServer", error.Key);
        Assert.Contains("staging, production", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAcmeEmailIsKeptAndABadOneIsRefused()
    {
        Assert.Equal("ops@example.com", LabSettings.Parse(Config(("istio-lab:https", "lets-encrypt"), ("istio-lab:acmeEmail", "ops@example.com"))).Https.AcmeEmail);

        var error = Assert.Single(Refused(("istio-lab:https", "lets-encrypt"), ("istio-lab:acmeEmail", "ops at example")).Errors);
        Assert.Equal("istio-lab:acmeEmail", error.Key);
    }

    [Theory]
    [InlineData("off", "istio-lab:dnsLabel", "my-shop")]
    [InlineData("off", "istio-lab:acmeServer", "production")]
    [InlineData("self-signed", "istio-lab:acmeServer", "production")]
    [InlineData("self-signed", "istio-lab:acmeEmail", "ops@example.com")]
    public void AKeyThatHasNoEffectInTheChosenModeIsRefused(string mode, string key, string value)
    {
        var error = Assert.Single(Refused(("istio-lab:https", mode), (key, value)).Errors);

        Assert.Equal(key, error.Key);
        Assert.Contains("applies only with istio-lab:https", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDeclaredAcmeDefaultIsAcceptedInEveryMode()
    {
        foreach (var mode in LabSettings.HttpsModeNames.Keys)
        {
            Assert.Equal(AcmeServer.Staging, LabSettings.Parse(Config(("istio-lab:https", mode), ("istio-lab:acmeServer", "staging"))).Https.Acme);
        }
    }
}
