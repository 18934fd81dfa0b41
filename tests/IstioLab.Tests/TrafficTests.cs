using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Traffic;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>Traffic management in the graph: after the store, before the gateway route and the checks; absent when off.</summary>
public class TrafficTests
{
    private const string StoreGroup = "istio-lab-store-workloads";
    private const string ChecksGroup = "istio-lab-checks-jobs";
    private const string GatewayRoute = "istio-lab-mesh-route";
    private const string CanaryGroup = "istio-lab-traffic-canary";
    private const string DestinationRuleType = "kubernetes:networking.istio.io/v1:DestinationRule";
    private const string VirtualServiceType = "kubernetes:networking.istio.io/v1:VirtualService";

    private static Dictionary<string, string> Everything(string variant = "all-in-one") => new()
    {
        ["istio-lab:storeVariant"] = variant,
        ["istio-lab:canaryWeight"] = "20",
        ["istio-lab:abHeader"] = "x-store-variant=b",
        ["istio-lab:faultAbortPercent"] = "10",
        ["istio-lab:faultDelayPercent"] = "20",
        ["istio-lab:timeout"] = "3s",
        ["istio-lab:retries"] = "2",
        ["istio-lab:circuitBreaker"] = "true",
    };

    private static LabSettings Settings(Dictionary<string, string> config) => LabSettings.Parse(config.ToDictionary(p => p.Key, p => (string?)p.Value));

    private static string NameOf(MockResourceArgs r) => (string)Map(r.Inputs["metadata"])["name"];

    [Fact]
    public async Task WithEveryTrafficKeyUnsetNothingOfItIsInTheGraph()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        Assert.DoesNotContain(lab.Registered, r => r.Type == TrafficManagement.Type || r.Name!.StartsWith("istio-lab-traffic", StringComparison.Ordinal));
        Assert.Empty(lab.OfType(DestinationRuleType));
        var route = Assert.Single(lab.OfType(VirtualServiceType));
        Assert.Equal(Canonical(PlainTree.Of(Blueprint.Mesh.MeshManifest.StoreRoute(LabSettings.Defaults).Spec)), Canonical(route.Inputs["spec"]));
        Assert.DoesNotContain("check-traffic", Assert.IsType<string>(lab.OfType(ConfigGroupType).Single(r => r.Name == ChecksGroup).Inputs["yaml"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("all-in-one")]
    [InlineData("quickstart")]
    public async Task V2AndTheRoutingObjectsComeAfterTheStoreAndBeforeTheGatewayRoute(string variant)
    {
        var lab = new LabHarness { Slow = r => r.Name == StoreGroup || r.Name == CanaryGroup || r.Type == DestinationRuleType };
        await lab.RunAsync(Everything(variant));

        var settings = Settings(Everything(variant));
        var canary = lab.OfType(ConfigGroupType).Single(r => r.Name == CanaryGroup);
        Assert.Equal(LabManifest.TrafficWorkloadsYaml(settings), canary.Inputs["yaml"]);
        Assert.Contains("name: store-front-v2", Assert.IsType<string>(canary.Inputs["yaml"]), StringComparison.Ordinal);
        Assert.True(lab.WaitedFor(CanaryGroup, StoreGroup), "v2 runs as store-front's identity and beside its Service: after the store");

        var rules = lab.OfType(DestinationRuleType).ToList();
        Assert.Equal(TrafficManifest.DestinationRules(settings).Select(r => r.Metadata.Name).Order(StringComparer.Ordinal), rules.Select(NameOf).Order(StringComparer.Ordinal));
        Assert.All(rules, r =>
        {
            Assert.True(lab.WaitedFor(r.Name!, StoreGroup), $"{r.Name} must wait for the store");
            Assert.True(lab.WaitedFor(r.Name!, CanaryGroup), $"{r.Name} must wait for v2");
            Assert.True(lab.WaitedFor(GatewayRoute, r.Name!), $"the gateway route names subsets: it must wait for {r.Name}");
            var blueprint = TrafficManifest.DestinationRules(settings).Single(b => b.Metadata.Name == NameOf(r));
            Assert.Equal(Canonical(PlainTree.Of(blueprint.Spec)), Canonical(r.Inputs["spec"]));
            Assert.Equal("pets", Map(r.Inputs["metadata"])["namespace"]);
        });

        var meshRoutes = lab.OfType(VirtualServiceType).Where(r => r.Name!.StartsWith("istio-lab-traffic-vs-", StringComparison.Ordinal)).ToList();
        Assert.Equal(TrafficManifest.MeshRoutes(settings).Select(r => r.Metadata.Name).Order(StringComparer.Ordinal), meshRoutes.Select(NameOf).Order(StringComparer.Ordinal));
        Assert.All(meshRoutes, r => Assert.All(rules, rule => Assert.True(lab.WaitedFor(r.Name!, rule.Name!), $"{r.Name} must wait for {rule.Name}")));

        var gatewayRoute = lab.OfType(VirtualServiceType).Single(r => r.Name == GatewayRoute);
        Assert.Equal(Canonical(PlainTree.Of(Blueprint.Mesh.MeshManifest.StoreRoute(settings).Spec)), Canonical(gatewayRoute.Inputs["spec"]));
    }

    [Fact]
    public async Task TheTrafficCheckRunsAfterTheGatewayCheckAndAfterEveryTrafficObject()
    {
        var lab = new LabHarness { Slow = r => r.Name!.StartsWith("istio-lab-traffic-", StringComparison.Ordinal) };
        await lab.RunAsync(Everything());

        var yaml = Assert.IsType<string>(lab.OfType(ConfigGroupType).Single(r => r.Name == ChecksGroup).Inputs["yaml"]);
        var jobs = LabManifest.Load(yaml).OfType<k8s.Models.V1Job>().ToList();
        var gateway = jobs.Single(j => j.Metadata.Name.StartsWith("check-gateway-", StringComparison.Ordinal));
        var traffic = jobs.Single(j => j.Metadata.Name.StartsWith("check-traffic-", StringComparison.Ordinal));
        Assert.Equal($"batch/namespaces/pets-outside-mesh/Job/{gateway.Metadata.Name}", traffic.Metadata.Annotations["config.kubernetes.io/depends-on"]);
        Assert.Equal($"http://{GatewayIp}/", traffic.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "TARGET_URL").Value);

        var trafficObjects = lab.Registered.Where(r => r.Name!.StartsWith("istio-lab-traffic-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(trafficObjects);
        Assert.All(trafficObjects, r => Assert.True(lab.WaitedFor(ChecksGroup, r.Name!), $"the checks must wait for {r.Name}"));
    }

    [Fact]
    public async Task FaultsAloneAddTheProductApiRouteButNoV2()
    {
        var lab = new LabHarness();
        await lab.RunAsync(new Dictionary<string, string> { ["istio-lab:faultAbortPercent"] = "50" });

        Assert.Single(lab.Registered, r => r.Type == TrafficManagement.Type);
        Assert.DoesNotContain(lab.Registered, r => r.Name == CanaryGroup);
        Assert.Empty(lab.OfType(DestinationRuleType));
        var route = Assert.Single(lab.OfType(VirtualServiceType), r => r.Name == "istio-lab-traffic-vs-product-service");
        Assert.Contains("\"httpStatus\":503", Canonical(route.Inputs["spec"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoRunsWithTheSameTrafficKeysRegisterIdenticalInputs()
    {
        var first = new LabHarness();
        await first.RunAsync(Everything());
        var second = new LabHarness();
        await second.RunAsync(Everything());

        Assert.Equal(first.Snapshot(), second.Snapshot());
    }

    [Fact]
    public async Task TrafficManagementIsAComponentWhoseResourcesAreItsChildren()
    {
        var lab = new LabHarness();
        await lab.RunRecordedAsync(Everything());

        var component = Assert.Single(RecordingStack.Parents.Keys, r => r.GetResourceType() == TrafficManagement.Type);
        Assert.Equal("istio-lab-traffic", component.GetResourceName());
        var children = RecordingStack.Parents.Where(p => p.Value == component).Select(p => p.Key.GetResourceName()).ToList();
        Assert.Contains(CanaryGroup, children);
        Assert.Contains("istio-lab-traffic-dr-store-front", children);
        Assert.Contains("istio-lab-traffic-vs-product-service", children);
    }
}
