using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Each refused value says what is allowed instead, in words a user can act on; and each length limit refuses one
/// character more than it allows, never the limit itself. Written for the mutants Stryker.NET found surviving in Settings.
/// </summary>
public class SettingProblemTests
{
    private static SettingError ProblemOf(string key, params (string Key, string Value)[] config)
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(config.ToDictionary(c => c.Key, c => (string?)c.Value)));
        return Assert.Single(error.Errors, e => e.Key == key);
    }

    [Theory]
    [InlineData("azure-native:location", "West Europe", "must be lowercase letters and digits only, as Azure names regions (e.g. westeurope, eastus2)")]
    [InlineData("istio-lab:resourceGroupName", "rg.", "must be 1-90 characters: letters, digits, '-', '_', '.', '(' and ')', not ending in '.'")]
    [InlineData("istio-lab:clusterName", "aks.cluster", "must be 1-63 characters: letters, digits, '-' and '_', starting and ending with a letter or digit")]
    [InlineData("istio-lab:kubernetesVersion", "latest", "must be MAJOR.MINOR or MAJOR.MINOR.PATCH (e.g. 1.33 or 1.33.2), or empty for AKS's default")]
    [InlineData("istio-lab:nodeCount", "0", "must be a whole number from 1 to 100")]
    [InlineData("istio-lab:nodeVmSize", "D4ds_v5", "must be an Azure VM size name such as Standard_D4ds_v5 (Standard_ followed by letters, digits and '_')")]
    [InlineData("istio-lab:storeVariant", "full", "must be one of: all-in-one, quickstart")]
    [InlineData("istio-lab:appNamespace", "Pets", "must be a DNS-1123 label: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit")]
    [InlineData("istio-lab:appNamespace", "default", "must be a namespace of the lab's own, not one of: default, kube-system, kube-public, kube-node-lease, gatekeeper-system, aks-istio-system, aks-istio-ingress, aks-istio-egress or kube-*")]
    [InlineData("istio-lab:rabbitmqUsername", "user name", "must be 1-64 characters: letters, digits, '-', '_' and '.'")]
    [InlineData("istio-lab:checks", "yes", "must be true or false")]
    [InlineData("istio-lab:authorization", "closed", "must be one of: open, dry-run, allow-list")]
    [InlineData("istio-lab:https", "on", "must be one of: off, self-signed, lets-encrypt")]
    public void EachRefusedValueSaysWhatIsAllowed(string key, string value, string problem)
    {
        Assert.Equal(problem, ProblemOf(key, (key, value)).Problem);
    }

    [Fact]
    public void TheAcmeSettingsSayWhatIsAllowed()
    {
        Assert.Equal("must be one of: staging, production", ProblemOf("istio-lab:acmeServer", ("istio-lab:https", "lets-encrypt"), ("istio-lab:acmeServer", "prod")).Problem);
        Assert.Equal("must be an e-mail address such as ops@example.com, or empty for none", ProblemOf("istio-lab:acmeEmail", ("istio-lab:https", "lets-encrypt"), ("istio-lab:acmeEmail", "nope")).Problem);
    }

    [Fact]
    public void TheNamespaceLimitLeavesRoomForTheChecksOutsideNamespace()
    {
        // 63 (a DNS-1123 label) minus "-outside-mesh": 50 characters are allowed, 51 are not.
        var parsed = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:appNamespace"] = new string('p', 50) });
        Assert.Equal(50, parsed.AppNamespace.Length);
        Assert.StartsWith("must be at most 50 characters", ProblemOf("istio-lab:appNamespace", ("istio-lab:appNamespace", new string('p', 63))).Problem, StringComparison.Ordinal);
        Assert.StartsWith("must be at most 50 characters, so that '<namespace>-outside-mesh'", ProblemOf("istio-lab:appNamespace", ("istio-lab:appNamespace", new string('p', 51))).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthLimitsAllowTheLimitItself()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:resourceGroupName"] = new string('r', 90),
            ["istio-lab:rabbitmqUsername"] = new string('u', 64),
        });

        Assert.Equal(90, settings.ResourceGroupName.Length);
        Assert.Equal(64, settings.RabbitMqUsername.Length);
    }
}
