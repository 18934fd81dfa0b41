using System.Collections.Immutable;
using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>The egress lockdown in the graph: its objects come from the blueprint, the Sidecar after the entries, the checks after both.</summary>
public class EgressTests
{
    private const string Hosts = "api.example.com,*.blob.core.windows.net,httpbin.org:80";
    private const string StoreNamespace = "istio-lab-store-ns";
    private const string ChecksGroup = "istio-lab-checks-jobs";
    private const string SidecarResource = "istio-lab-egress-sidecar";

    private static Dictionary<string, string> Config(string mode = "allow-list", string hosts = Hosts, string variant = "all-in-one")
    {
        var config = new Dictionary<string, string> { ["istio-lab:egress"] = mode, ["istio-lab:storeVariant"] = variant };
        if (hosts.Length > 0)
        {
            config["istio-lab:egressHosts"] = hosts;
        }

        return config;
    }

    private static LabSettings Settings(Dictionary<string, string> config) => LabSettings.Parse(config.ToDictionary(p => p.Key, p => (string?)p.Value));

    private static string NameOf(MockResourceArgs r) => (string)Map(r.Inputs["metadata"])["name"];

    [Fact]
    public async Task WithEgressOpenTheLabCreatesNoEgressResourceAndNoComponent()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        Assert.Empty(lab.OfType(SidecarType));
        Assert.Empty(lab.OfType(ServiceEntryType));
        Assert.DoesNotContain(lab.Registered, r => r.Type == "istiolab:index:EgressLockdown");
    }

    [Theory]
    [InlineData("all-in-one")]
    [InlineData("quickstart")]
    public async Task EveryEntryOfTheBlueprintReachesTheStoresNamespaceThroughTheExplicitProvider(string variant)
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(variant: variant));

        var expected = EgressManifest.ServiceEntries(Settings(Config(variant: variant)));
        var provider = lab.Single(ProviderType);
        var entries = lab.OfType(ServiceEntryType).ToList();
        Assert.Equal(["egress-wildcard.blob.core.windows.net", "egress.api.example.com", "egress.httpbin.org"], entries.Select(NameOf).Order(StringComparer.Ordinal));
        Assert.All(entries, e =>
        {
            Assert.Contains($"{ProviderType}::{provider.Name}::", e.Provider, StringComparison.Ordinal);
            Assert.Equal("networking.istio.io/v1", e.Inputs["apiVersion"]);
            Assert.Equal("pets", Map(e.Inputs["metadata"])["namespace"]);
            Assert.Equal(Canonical(PlainTree.Of(expected.Single(x => x.Metadata.Name == NameOf(e)).Spec)), Canonical(e.Inputs["spec"]));
        });
        var api = Map(entries.Single(e => NameOf(e) == "egress.api.example.com").Inputs["spec"]);
        Assert.Equal("MESH_EXTERNAL", api["location"]);
        Assert.Equal("DNS", api["resolution"]);
        Assert.Equal(["."], List(api["exportTo"]).Cast<string>());
    }

    [Fact]
    public async Task TheStoresNamespaceGetsOneSidecarOnRegistryOnly()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config());

        var sidecar = lab.Single(SidecarType);
        Assert.Equal(SidecarResource, sidecar.Name);
        Assert.Equal(("default", "pets"), (NameOf(sidecar), Map(sidecar.Inputs["metadata"])["namespace"]));
        Assert.Equal("REGISTRY_ONLY", Map(Map(sidecar.Inputs["spec"])["outboundTrafficPolicy"])["mode"]);
        Assert.Equal(["outboundTrafficPolicy"], Map(sidecar.Inputs["spec"]).Keys);
    }

    [Fact]
    public async Task AnAllowListWithoutHostsStillLocksTheStoreDown()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(hosts: ""));

        Assert.Empty(lab.OfType(ServiceEntryType));
        Assert.Single(lab.OfType(SidecarType));
    }

    [Fact]
    public async Task TheEntriesWaitForTheNamespaceAndTheSidecarWaitsForEveryEntry()
    {
        var lab = new LabHarness { Slow = r => r.Type == ServiceEntryType || r.Name == StoreNamespace };
        await lab.RunAsync(Config());

        var entries = lab.OfType(ServiceEntryType).ToList();
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.True(lab.WaitedFor(e.Name!, StoreNamespace), $"{e.Name} lives in the store's namespace and must come after it"));
        Assert.All(entries, e => Assert.True(lab.WaitedFor(SidecarResource, e.Name!), $"the Sidecar must wait for {e.Name}, or the listed host is blocked meanwhile"));
    }

    [Fact]
    public async Task TheChecksAndTheirServiceAccountsDependOnEveryEgressResource()
    {
        var recorded = await new LabHarness().RunRecordedAsync(Config());

        string[] lockdown =
        [
            $"{ServiceEntryType} istio-lab-egress-egress.api.example.com",
            $"{ServiceEntryType} istio-lab-egress-egress-wildcard.blob.core.windows.net",
            $"{ServiceEntryType} istio-lab-egress-egress.httpbin.org",
            $"{SidecarType} {SidecarResource}",
        ];
        var checks = recorded.Single(p => p.Key.GetResourceName() == ChecksGroup).Value;
        var account = recorded.Single(p => p.Key.GetResourceName() == "istio-lab-checks-sa-check-egress").Value;
        Assert.All(lockdown, r => Assert.Contains(r, checks));
        Assert.All(lockdown, r => Assert.Contains(r, account));
    }

    [Fact]
    public async Task TheChecksIncludeTheEgressCheckWithItsOwnServiceAccount()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(Config());

        var account = lab.OfType(ServiceAccountType).Single(r => NameOf(r) == "check-egress");
        Assert.Equal("pets", Map(account.Inputs["metadata"])["namespace"]);
        Assert.Equal(false, account.Inputs["automountServiceAccountToken"]);
        Assert.True(lab.WaitedFor(ChecksGroup, account.Name!));
        var yaml = Assert.IsType<string>(lab.OfType(ConfigGroupType).Single(r => r.Name == ChecksGroup).Inputs["yaml"]);
        Assert.Equal(LabManifest.ChecksYaml(Settings(Config()), ClusterRevision, GatewayIp), yaml);
        var summary = await ValueOf(Assert.IsType<Output<ImmutableDictionary<string, string>>>(outputs["checks"]));
        Assert.Equal(["egress", "gateway", "inside", "kiali", "metrics", "outside"], summary.Keys.Order(StringComparer.Ordinal));
        Assert.Matches("^pets/check-egress-[0-9a-f]{10}: the store's sidecars block", summary["egress"]);
    }

    [Fact]
    public async Task EveryEgressResourceIsTheChildOfTheEgressLockdownComponent()
    {
        var lab = new LabHarness();
        await lab.RunRecordedAsync(Config());

        var parents = RecordingStack.Parents.Where(p => p.Key is not Stack).ToDictionary(p => p.Key, p => p.Value);
        var component = Assert.Single(parents.Keys, r => r.GetResourceType() == "istiolab:index:EgressLockdown");
        Assert.Equal("istio-lab-egress", component.GetResourceName());
        Assert.Null(parents[component]);
        var children = parents.Where(p => p.Key.GetResourceType() is ServiceEntryType or SidecarType).ToList();
        Assert.Equal(4, children.Count);
        Assert.All(children, p => Assert.Same(component, p.Value));
    }

    [Fact]
    public async Task TwoRunsWithTheSameListRegisterIdenticalInputs()
    {
        var first = new LabHarness();
        await first.RunAsync(Config());
        var second = new LabHarness();
        await second.RunAsync(Config());

        Assert.Equal(first.Snapshot(), second.Snapshot());
    }
}
