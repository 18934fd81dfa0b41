using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>Edges of the settings that Stryker.NET found untested: boundaries, order, what counts as the lab's key, and the error text.</summary>
public class SettingEdgeTests
{
    private static Dictionary<string, string?> Config(params (string Key, string Value)[] entries) => entries.ToDictionary(e => e.Key, e => (string?)e.Value);

    [Fact]
    public void ADerivedDnsLabelKeepsEveryLetterAndDigitOfTheClusterName()
    {
        var label = LabSettings.DerivedDnsLabel("rg", "az09_AZ-x", "westeurope");

        Assert.StartsWith("az09-az-x-", label, StringComparison.Ordinal);
        Assert.Equal("resourceGroup", Assert.Throws<ArgumentNullException>(() => LabSettings.DerivedDnsLabel(null!, "c", "l")).ParamName);
        Assert.Equal("cluster", Assert.Throws<ArgumentNullException>(() => LabSettings.DerivedDnsLabel("r", null!, "l")).ParamName);
        Assert.Equal("location", Assert.Throws<ArgumentNullException>(() => LabSettings.DerivedDnsLabel("r", "c", null!)).ParamName);
    }

    [Fact]
    public void TheShortestDnsLabelAndTheLongestEmailAreAllowed()
    {
        var email = new string('a', 254 - "@example.com".Length) + "@example.com";
        var settings = LabSettings.Parse(Config(("istio-lab:https", "lets-encrypt"), ("istio-lab:dnsLabel", "abc"), ("istio-lab:acmeEmail", email)));

        Assert.Equal("abc", settings.Https.DnsLabel);
        Assert.Equal(email, settings.Https.AcmeEmail);
    }

    [Fact]
    public void UnknownKeysAreReportedInOrderWithEveryKnownKey()
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(("istio-lab:zzz", "1"), ("istio-lab:aaa", "2"))));

        Assert.Equal(["istio-lab:aaa", "istio-lab:zzz"], error.Errors.Select(e => e.Key));
        var known = string.Join(", ", ConfigKeys.All.Where(k => k.Namespace == "istio-lab").Select(k => k.FullName));
        Assert.Equal("is not a setting of this lab; known keys: " + known, error.Errors[0].Problem);
        Assert.StartsWith("Invalid stack configuration:" + Environment.NewLine + "  istio-lab:aaa", error.Message, StringComparison.Ordinal);
        var unset = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:zzz"] = null }));
        Assert.Equal("", Assert.Single(unset.Errors).Value);
    }

    [Fact]
    public void OnlyKeysInTheLabsOwnNamespaceAreItsKeys()
    {
        var settings = LabSettings.Parse(Config(("istio-labs:anything", "x"), ("istio-lab-extra:key", "y")));

        Assert.Equal(LabSettings.Defaults.ClusterName, settings.ClusterName);
    }

    [Fact]
    public void AMissingConfigIsRefusedByName()
    {
        Assert.Equal("config", Assert.Throws<ArgumentNullException>(() => LabSettings.Parse(null!)).ParamName);
    }

    [Fact]
    public void UpgradeAndWorkshopProblemsSayHowToFixThem()
    {
        static string Problem(string key, params (string Key, string Value)[] config) =>
            Assert.Single(Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(config))).Errors, e => e.Key == key).Problem;

        Assert.EndsWith("`az aks show --query serviceMeshProfile.istio.revisions` shows it",
            Problem("istio-lab:istioCanaryRevision", ("istio-lab:istioCanaryRevision", "asm-1-30")), StringComparison.Ordinal);
        var plane = Problem("istio-lab:istioDataPlane", ("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"), ("istio-lab:istioDataPlane", "both"));
        Assert.StartsWith("must be one of: ", plane, StringComparison.Ordinal);
        Assert.EndsWith(" (or unset)", plane, StringComparison.Ordinal);
        Assert.EndsWith("(`pulumi config rm istio-lab:istioDataPlane`)", Problem("istio-lab:istioDataPlane", ("istio-lab:istioDataPlane", "stable")), StringComparison.Ordinal);
        Assert.EndsWith("`pulumi config rm istio-lab:authorization` to walk the steps first",
            Problem("istio-lab:authorization", ("istio-lab:workshopStep", "3"), ("istio-lab:authorization", "allow-list")), StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheLabsKeysAreTakenFromTheEnvironmentsConfig()
    {
        var keys = StackConfigEnvironment.LabKeys("{\"istio-labx:foo\":\"1\",\"istio-lab:config:nodeCount\":\"3\"}", "[]");

        Assert.Equal(["istio-lab:nodeCount"], keys.Keys);
        Assert.Equal(":config:x", StackConfigEnvironment.CleanKey(":config:x"));
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => StackConfigEnvironment.CleanKey(null!)).ParamName);
    }
}
