using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

public class LabSettingsTests
{
    private static Dictionary<string, string?> Config(params (string Key, string? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public void EmptyConfigTakesTheDocumentedDefaults()
    {
        var settings = LabSettings.Parse(Config());

        Assert.Equal("westeurope", settings.Location);
        Assert.Equal("istio-lab-rg", settings.ResourceGroupName);
        Assert.Equal("istio-lab-aks", settings.ClusterName);
        Assert.Null(settings.KubernetesVersion);
        Assert.Equal(2, settings.NodeCount);
        Assert.Equal("Standard_D4ds_v5", settings.NodeVmSize);
        Assert.Null(settings.IstioRevision);
        Assert.Equal(StoreVariant.AllInOne, settings.StoreVariant);
        Assert.Equal("pets", settings.AppNamespace);
        Assert.Equal("storeuser", settings.RabbitMqUsername);
        Assert.True(settings.Checks);
    }

    [Fact]
    public void EveryKeyIsReadFromItsNamespacedName()
    {
        var settings = LabSettings.Parse(Config(
            ("azure-native:location", "eastus2"),
            ("istio-lab:resourceGroupName", "rg.lab(1)"),
            ("istio-lab:clusterName", "mesh_01"),
            ("istio-lab:kubernetesVersion", "1.33.2"),
            ("istio-lab:nodeCount", "3"),
            ("istio-lab:nodeVmSize", "Standard_D8ds_v5"),
            ("istio-lab:istioRevision", "asm-1-30"),
            ("istio-lab:storeVariant", "quickstart"),
            ("istio-lab:appNamespace", "shop"),
            ("istio-lab:rabbitmqUsername", "orders.bot"),
            ("istio-lab:checks", "false")));

        Assert.Equal("eastus2", settings.Location);
        Assert.Equal("rg.lab(1)", settings.ResourceGroupName);
        Assert.Equal("mesh_01", settings.ClusterName);
        Assert.Equal("1.33.2", settings.KubernetesVersion);
        Assert.Equal(3, settings.NodeCount);
        Assert.Equal("Standard_D8ds_v5", settings.NodeVmSize);
        Assert.Equal("asm-1-30", settings.IstioRevision);
        Assert.Equal(StoreVariant.Quickstart, settings.StoreVariant);
        Assert.Equal("quickstart", settings.StoreVariantName);
        Assert.Equal("shop", settings.AppNamespace);
        Assert.Equal("shop-outside-mesh", settings.OutsideNamespace);
        Assert.Equal("orders.bot", settings.RabbitMqUsername);
        Assert.False(settings.Checks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void EmptyOptionalValuesMeanUnset(string? empty)
    {
        var settings = LabSettings.Parse(Config(("istio-lab:istioRevision", empty), ("istio-lab:kubernetesVersion", empty)));

        Assert.Null(settings.IstioRevision);
        Assert.Null(settings.KubernetesVersion);
    }

    [Fact]
    public void KeysOfOtherNamespacesAreLeftToTheirOwners()
    {
        var settings = LabSettings.Parse(Config(("azure-native:subscriptionId", "x"), ("pulumi:tags", "y")));

        Assert.Equal("pets", settings.AppNamespace);
    }

    [Fact]
    public void TheSecretPasswordKeyIsKnownButNeverASetting()
    {
        var settings = LabSettings.Parse(Config(("istio-lab:rabbitmqPassword", "[secret]")));

        Assert.DoesNotContain(typeof(LabSettings).GetProperties(), p => p.Name.Contains("Password", StringComparison.Ordinal));
        Assert.Equal("storeuser", settings.RabbitMqUsername);
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { "azure-native:location", "West Europe" },
        { "azure-native:location", "WESTEUROPE" },
        { "azure-native:location", "west-europe" },
        { "azure-native:location", "9region" },
        { "istio-lab:resourceGroupName", "rg." },
        { "istio-lab:resourceGroupName", "rg with space" },
        { "istio-lab:resourceGroupName", new string('r', 91) },
        { "istio-lab:resourceGroupName", "rg/slash" },
        { "istio-lab:clusterName", "-aks" },
        { "istio-lab:clusterName", "aks-" },
        { "istio-lab:clusterName", "aks.cluster" },
        { "istio-lab:clusterName", new string('a', 64) },
        { "istio-lab:kubernetesVersion", "latest" },
        { "istio-lab:kubernetesVersion", "v1.33" },
        { "istio-lab:kubernetesVersion", "1" },
        { "istio-lab:nodeCount", "0" },
        { "istio-lab:nodeCount", "101" },
        { "istio-lab:nodeCount", "-1" },
        { "istio-lab:nodeCount", "two" },
        { "istio-lab:nodeCount", "2.5" },
        { "istio-lab:nodeVmSize", "D4ds_v5" },
        { "istio-lab:nodeVmSize", "Standard D4" },
        { "istio-lab:istioRevision", "1.27" },
        { "istio-lab:istioRevision", "asm-1-27-1" },
        { "istio-lab:istioRevision", "asm-2-1" },
        { "istio-lab:istioRevision", "ASM-1-27" },
        { "istio-lab:istioRevision", "asm-1-" },
        { "istio-lab:storeVariant", "all_in_one" },
        { "istio-lab:storeVariant", "Quickstart" },
        { "istio-lab:storeVariant", "full" },
        { "istio-lab:appNamespace", "Pets" },
        { "istio-lab:appNamespace", "pets_ns" },
        { "istio-lab:appNamespace", "-pets" },
        { "istio-lab:appNamespace", "kube-system" },
        { "istio-lab:appNamespace", "kube-pets" },
        { "istio-lab:appNamespace", "aks-istio-ingress" },
        { "istio-lab:appNamespace", "default" },
        { "istio-lab:appNamespace", new string('p', 51) },
        { "istio-lab:rabbitmqUsername", "user name" },
        { "istio-lab:rabbitmqUsername", "user:name" },
        { "istio-lab:rabbitmqUsername", new string('u', 65) },
        { "istio-lab:checks", "yes" },
        { "istio-lab:checks", "1" },
        { "istio-lab:storevariant", "quickstart" },
        { "istio-lab:revision", "asm-1-27" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsRejectedNamingItsKeyValueAndWhatIsAllowed(string key, string value)
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config((key, value))));

        var only = Assert.Single(error.Errors);
        Assert.Equal(key, only.Key);
        Assert.Equal(value, only.Value);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Matches("must be|known keys", only.Problem);
    }

    [Fact]
    public void EveryBadInputIsStillReportedWhenAllComeTogether()
    {
        // The first bad value of each key, all in one config: Parse must report each key, not stop at the first.
        var firsts = BadInputs.Select(row => ((string)row[0], (string?)row[1])).DistinctBy(pair => pair.Item1).ToArray();
        Assert.True(firsts.Length >= 10, $"only {firsts.Length} keys with a bad input");

        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(firsts)));

        Assert.All(firsts, pair => Assert.Contains(error.Errors, e => e.Key == pair.Item1 && e.Value == pair.Item2));
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(
            ("istio-lab:nodeCount", "0"),
            ("istio-lab:storeVariant", "full"),
            ("istio-lab:istioRevision", "1.27"))));

        Assert.Equal(
            ["istio-lab:istioRevision", "istio-lab:nodeCount", "istio-lab:storeVariant"],
            error.Errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void VariantErrorListsTheAllowedVariants()
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(("istio-lab:storeVariant", "full"))));

        Assert.Contains("all-in-one, quickstart", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKeyErrorListsTheKnownKeys()
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(("istio-lab:storevariant", "quickstart"))));

        Assert.Contains("istio-lab:storeVariant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RevisionErrorTellsHowToListSupportedRevisions()
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(("istio-lab:istioRevision", "1.27"))));

        Assert.Contains("az aks mesh get-revisions", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("100")]
    public void NodeCountBoundsAreInclusive(string count)
    {
        Assert.Equal(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), LabSettings.Parse(Config(("istio-lab:nodeCount", count))).NodeCount);
    }

    [Fact]
    public void EveryKeyHasADescriptionAndAParseableDefault()
    {
        Assert.All(ConfigKeys.All, key => Assert.False(string.IsNullOrWhiteSpace(key.Description), key.FullName));
        Assert.Equal(ConfigKeys.All.Count, ConfigKeys.All.Select(k => k.FullName).Distinct().Count());

        var defaults = ConfigKeys.All.ToDictionary(k => k.FullName, k => (string?)k.Default);
        Assert.Equal(LabSettings.Defaults, LabSettings.Parse(defaults));
    }
}
