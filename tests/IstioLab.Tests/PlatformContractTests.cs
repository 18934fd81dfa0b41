using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>
/// What Azure really accepts, under the mock engine: the configured revisions against the location's mesh revision
/// profile before any resource exists, and Kiali's signing key kept in state.
/// </summary>
public class PlatformContractTests
{
    private const string RandomType = "random:index/randomPassword:RandomPassword";

    private static Dictionary<string, string> Config(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    /// <summary>December 2026 in westeurope, as this test pretends: asm-1-30 (upgradable to asm-1-31 only) and asm-1-31, asm-1-32.</summary>
    private static FakeArm Today => FakeArm.Offering(("asm-1-30", ["asm-1-31"]), ("asm-1-31", ["asm-1-32"]), ("asm-1-32", []));

    [Fact]
    public async Task ARevisionTheLocationDoesNotOfferFailsBeforeAnyResourceIsRegistered()
    {
        var lab = new LabHarness { Arm = Today };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lab.RunAsync(Config(("istio-lab:istioRevision", "asm-1-29"))));

        Assert.Contains("istio-lab:istioRevision = 'asm-1-29'", error.Message, StringComparison.Ordinal);
        Assert.Contains("offered in westeurope: asm-1-30, asm-1-31, asm-1-32", error.Message, StringComparison.Ordinal);
        Assert.Empty(lab.Registered);
    }

    [Fact]
    public async Task ACanaryTheStableRevisionsUpgradesDoNotListFailsBeforeAnyResourceIsRegistered()
    {
        var lab = new LabHarness { Arm = Today };

        // Two minors ahead: the offline rule lets it through; the profile says asm-1-30 moves to asm-1-31 only.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => lab.RunAsync(Config(
            ("istio-lab:istioRevision", "asm-1-30"), ("istio-lab:istioCanaryRevision", "asm-1-32"))));

        Assert.Contains("istio-lab:istioCanaryRevision = 'asm-1-32'", error.Message, StringComparison.Ordinal);
        Assert.Contains("it offers: asm-1-31", error.Message, StringComparison.Ordinal);
        Assert.Empty(lab.Registered);
    }

    [Fact]
    public async Task ACanaryTheLocationDoesNotOfferFailsBeforeAnyResourceIsRegistered()
    {
        var lab = new LabHarness { Arm = FakeArm.Offering(("asm-1-30", ["asm-1-31"]), ("asm-1-31", [])) };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lab.RunAsync(Config(
            ("istio-lab:istioRevision", "asm-1-31"), ("istio-lab:istioCanaryRevision", "asm-1-32"))));

        Assert.Contains("istio-lab:istioCanaryRevision = 'asm-1-32'", error.Message, StringComparison.Ordinal);
        Assert.Contains("offered in westeurope: asm-1-30, asm-1-31", error.Message, StringComparison.Ordinal);
        Assert.Empty(lab.Registered);
    }

    [Fact]
    public async Task FromARetiredRevisionOnlyTheNearestOfferedOneIsAccepted()
    {
        var refused = new LabHarness { Arm = Today };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => refused.RunAsync(Config(
            ("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-31"))));
        Assert.Contains("must be asm-1-30", error.Message, StringComparison.Ordinal);
        Assert.Empty(refused.Registered);

        var accepted = new LabHarness { Arm = Today };
        await accepted.RunAsync(Config(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30")));
        Assert.NotEmpty(accepted.Registered);
    }

    [Fact]
    public async Task AnOfferedRevisionAndUpgradePassAndTheProfileIsReadWithTheDeployersToken()
    {
        var lab = new LabHarness { Arm = Today };

        await lab.RunAsync(Config(("istio-lab:istioRevision", "asm-1-30"), ("istio-lab:istioCanaryRevision", "asm-1-31")));

        Assert.Single(lab.OfType(ClusterType));
        var (url, token) = Assert.Single(lab.Arm.Requests);
        Assert.Equal(
            $"https://management.azure.com/subscriptions/{SubscriptionId}/providers/Microsoft.ContainerService/locations/westeurope/meshRevisionProfiles/istio?api-version=2025-10-01",
            url.AbsoluteUri);
        Assert.Equal(ArmToken, token);
    }

    [Fact]
    public async Task TheProfileIsReadFromTheArmEndpointOfTheProvidersCloud()
    {
        var lab = new LabHarness { Arm = Today };

        await lab.RunAsync(Config(("istio-lab:istioRevision", "asm-1-30"), ("azure-native:environment", "usgovernment")));

        Assert.Equal("management.usgovcloudapi.net", Assert.Single(lab.Arm.Requests).Url.Host);
    }

    [Fact]
    public async Task AnUnreadableProfileWarnsAndFallsBackToTheOfflineRule()
    {
        var lab = new LabHarness { Arm = FakeArm.Failing(new HttpRequestException("Response status code does not indicate success: 403 (Forbidden).")) };
        var result = RevisionGateResult.Offered;

        await lab.RunProgramAsync(Config(("istio-lab:istioRevision", "asm-1-29")), async () =>
        {
            result = await MeshRevisionGate.VerifyAsync(StackSettings.Read(), lab.Arm, null);
            return new Dictionary<string, object?>();
        });
        Assert.Equal(RevisionGateResult.Unavailable, result);

        var whole = new LabHarness { Arm = lab.Arm };
        await whole.RunAsync(Config(("istio-lab:istioRevision", "asm-1-29")));
        Assert.Single(whole.OfType(ClusterType));
    }

    [Fact]
    public async Task WithoutAConfiguredRevisionNothingIsAsked()
    {
        var lab = new LabHarness { Arm = Today };

        await lab.RunAsync();

        Assert.Empty(lab.Arm.Requests);
        Assert.Single(lab.OfType(ClusterType));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public async Task ThePatchOfTheAddOnsGatewayServiceSetsOnlyAnnotationsTheAddOnKeeps(string https)
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(("istio-lab:https", https)));

        var patch = lab.Single(ServicePatchType).Inputs;
        Assert.Equal(["metadata"], patch.Keys.Where(k => k is not ("apiVersion" or "kind")));
        var annotations = Map(Map(patch["metadata"])["annotations"]).Keys.ToList();
        Assert.Contains("service.beta.kubernetes.io/azure-pip-name", annotations);

        // The provider's own directives (its field manager) are read by Pulumi, not by the add-on.
        Assert.All(annotations.Where(a => !a.StartsWith("pulumi.com/", StringComparison.Ordinal)),
            a => Assert.Contains(a, Blueprint.Platform.GatewayServiceCustomizations.AllowedAnnotations));
    }

    [Fact]
    public async Task KialisSigningKeyIsARandomSecretKeptInStateBehindTheChartsSecretReference()
    {
        var lab = new LabHarness { Slow = r => r.Type == SecretType };
        await lab.RunAsync();

        var random = lab.OfType(RandomType).Single(r => r.Name == "istio-lab-observability-kiali-signing-key").Inputs;
        Assert.Equal(32, Convert.ToInt32(random["length"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(false, random["special"]);
        Assert.False(random.ContainsKey("keepers"));

        var secret = lab.OfType(SecretType).Single(r => r.Name == "istio-lab-observability-kiali-signing-key");
        Assert.Equal("kiali-signing-key", Map(secret.Inputs["metadata"])["name"]);
        Assert.Equal("istio-lab-monitoring", Map(secret.Inputs["metadata"])["namespace"]);
        Assert.Equal("istio-lab-observability-kiali-signing-key-kept-in-state", Map(secret.Inputs["stringData"])["signing-key"]);

        var values = Map(lab.Single(ChartType).Inputs["values"]);
        Assert.Equal("secret:kiali-signing-key:signing-key", Map(values["login_token"])["signing_key"]);
        Assert.True(lab.WaitedFor("istio-lab-observability-kiali", secret.Name!), "Kiali must start with its key's Secret in place");
    }

    [Fact]
    public async Task TwoRunsWithTheSameStateGiveKialiTheSameKeyAndTheSameValues()
    {
        var first = new LabHarness();
        await first.RunAsync();
        var second = new LabHarness();
        await second.RunAsync();

        string Key(LabHarness lab) => Canonical(lab.OfType(SecretType).Single(r => r.Name == "istio-lab-observability-kiali-signing-key").Inputs);
        string Values(LabHarness lab) => Canonical(lab.Single(ChartType).Inputs["values"]);
        Assert.Equal(Key(first), Key(second));
        Assert.Equal(Values(first), Values(second));
    }

    [Fact]
    public async Task KialiReadsTheWorkspaceAsMicrosoftsSampleDoes()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var prometheus = Map(Map(Map(lab.Single(ChartType).Inputs["values"])["external_services"])["prometheus"]);
        Assert.Equal("application/json", Map(prometheus["custom_headers"])["Accept"]);
        Assert.Equal(30, Convert.ToInt32(prometheus["query_timeout"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TheUxRecordingRulesGetTheirOwnGroupAndTheRelabelRulesKeepTheirWorkloadType()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var groups = lab.OfType("azure-native:alertsmanagement:PrometheusRuleGroup").ToList();
        var ux = groups.Single(g => (string)g.Inputs["ruleGroupName"] == "UXRecordingRulesRuleGroup - istio-lab-aks");
        Assert.Equal(18, List(ux.Inputs["rules"]).Length);
        var kubernetes = groups.Single(g => (string)g.Inputs["ruleGroupName"] == "KubernetesRecordingRulesRuleGroup-istio-lab-aks");
        var types = List(kubernetes.Inputs["rules"]).Select(Map)
            .Where(r => (string)r["record"] == "namespace_workload_pod:kube_pod_owner:relabel")
            .Select(r => (string)Map(r["labels"])["workload_type"]);
        Assert.Equal(["deployment", "daemonset", "statefulset", "job"], types);
    }
}
