using System.Collections.Immutable;
using Pulumi;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>Each phase of a canary upgrade under the mock engine: what the cluster is sent and what the store follows.</summary>
public class MeshRevisionTests
{
    private static Dictionary<string, string> Config(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    private static Dictionary<string, string> Start => Config(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"));

    private static List<string> SentRevisions(LabHarness lab) =>
        [.. List(Map(Map(lab.Single(ClusterType).Inputs["serviceMeshProfile"])["istio"])["revisions"]).Select(r => Assert.IsType<string>(r))];

    private static string NamespaceLabel(LabHarness lab) =>
        Assert.IsType<string>(Map(Map(lab.Single("kubernetes:core/v1:Namespace").Inputs["metadata"])["labels"])["istio.io/rev"]);

    private static string StoreYaml(LabHarness lab) =>
        Assert.IsType<string>(lab.OfType("kubernetes:yaml/v2:ConfigGroup").Single(r => r.Name == "istio-lab-store-workloads").Inputs["yaml"]);

    /// <summary>The shared ConfigMaps' names, sorted: the engine may register independent resources in any order.</summary>
    private static List<string> SharedConfigMaps(LabHarness lab) =>
        [.. lab.OfType(ConfigMapType).Select(r => Assert.IsType<string>(Map(r.Inputs["metadata"])["name"])).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task StartingACanarySendsBothRevisionsAndMovesTheStoreToTheCanary()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(Start);

        Assert.Equal(["asm-1-29", "asm-1-30"], SentRevisions(lab));
        Assert.Equal("asm-1-30", NamespaceLabel(lab));
        var yaml = StoreYaml(lab);
        Assert.Equal(9, yaml.Split("istio-lab/mesh-revision: asm-1-30").Length - 1);
        Assert.DoesNotContain("istio-lab/mesh-revision: asm-1-29", yaml, StringComparison.Ordinal);
        Assert.Equal("asm-1-30", await ValueOf(Assert.IsType<Output<string>>(outputs["istioRevision"])));
        var revisions = await ValueOf(Assert.IsType<Output<ImmutableArray<string>>>(outputs["istioRevisions"]));
        Assert.Equal(["asm-1-29", "asm-1-30"], [.. revisions]);
    }

    [Fact]
    public async Task RollingBackKeepsBothControlPlanesAndMovesTheStoreToTheStableOne()
    {
        var lab = new LabHarness();
        await lab.RunAsync(new Dictionary<string, string>(Start) { ["istio-lab:istioDataPlane"] = "stable" });

        Assert.Equal(["asm-1-29", "asm-1-30"], SentRevisions(lab));
        Assert.Equal("asm-1-29", NamespaceLabel(lab));
        Assert.Equal(9, StoreYaml(lab).Split("istio-lab/mesh-revision: asm-1-29").Length - 1);
    }

    [Fact]
    public async Task CompletingLeavesTheCanaryAloneAndRestartsNoPod()
    {
        var during = new LabHarness();
        await during.RunAsync(Start);
        var completed = new LabHarness();
        await completed.RunAsync(Config(("istio-lab:istioRevision", "asm-1-30")));

        Assert.Equal(["asm-1-30"], SentRevisions(completed));
        Assert.Equal("asm-1-30", NamespaceLabel(completed));
        Assert.Equal(StoreYaml(during), StoreYaml(completed));
    }

    [Theory]
    [InlineData("istio-lab:istioCanaryRevision", "asm-1-30", null, null)]
    [InlineData("istio-lab:istioRevision", "asm-1-30", "istio-lab:istioCanaryRevision", "asm-1-29")]
    [InlineData("istio-lab:istioRevision", "asm-1-30", "istio-lab:istioCanaryRevision", "asm-1-33")]
    [InlineData("istio-lab:istioRevision", "asm-1-29", "istio-lab:istioDataPlane", "stable")]
    public async Task AnInvalidUpgradeFailsBeforeAnyResourceIsRegistered(string key, string value, string? otherKey, string? otherValue)
    {
        var config = Config((key, value));
        if (otherKey is not null)
        {
            config[otherKey] = otherValue!;
        }

        var lab = new LabHarness();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => lab.RunAsync(config));

        Assert.Contains(otherKey is "istio-lab:istioDataPlane" ? "istio-lab:istioDataPlane" : "istio-lab:istioCanaryRevision", error.Message, StringComparison.Ordinal);
        Assert.Empty(lab.Registered);
    }

    [Fact]
    public async Task EveryRevisionGetsItsSharedMeshConfigBeforeTheNamespaceIsLabelled()
    {
        var lab = new LabHarness { Slow = r => r.Type == ConfigMapType };
        await lab.RunAsync(Start);

        Assert.Equal(["istio-shared-configmap-asm-1-29", "istio-shared-configmap-asm-1-30"], SharedConfigMaps(lab));
        Assert.All(lab.OfType(ConfigMapType), r => Assert.Equal("aks-istio-system", Map(r.Inputs["metadata"])["namespace"]));
        Assert.All(lab.OfType(ConfigMapType), r => Assert.True(
            lab.WaitedFor("istio-lab-store-ns", r.Name!), $"the namespace label must wait for {r.Name}, or sidecars start without their MeshConfig"));
    }

    [Fact]
    public async Task WithoutAConfiguredRevisionTheSharedMeshConfigIsNamedAfterTheClustersRevision()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        Assert.Equal([$"istio-shared-configmap-{ClusterRevision}"], SharedConfigMaps(lab));
        Assert.Equal("istio-lab-meshconfig-default", lab.Single(ConfigMapType).Name);
    }

    [Fact]
    public async Task CompletingDropsTheOldRevisionsSharedMeshConfig()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(("istio-lab:istioRevision", "asm-1-30")));

        Assert.Equal(["istio-shared-configmap-asm-1-30"], SharedConfigMaps(lab));
        Assert.Equal("istio-lab-meshconfig-asm-1-30", lab.Single(ConfigMapType).Name);
    }
}
