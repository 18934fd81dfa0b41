using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>The restarts check under the mock engine: it runs last, after the store and the checks that send it traffic.</summary>
public class RestartsCheckTests
{
    private const string RestartsGroup = "istio-lab-restarts-objects";
    private const string StoreGroup = "istio-lab-store-workloads";
    private const string ChecksGroup = "istio-lab-checks-jobs";

    [Fact]
    public async Task TheRestartsCheckRunsAfterTheStoreIsReadyAndAfterTheChecksThatSendItTraffic()
    {
        var lab = new LabHarness { Slow = r => r.Name is StoreGroup or ChecksGroup };
        await lab.RunAsync();

        Assert.True(lab.WaitedFor(RestartsGroup, StoreGroup), "the restarts check must see the store once it is ready");
        Assert.True(lab.WaitedFor(RestartsGroup, ChecksGroup), "the restarts check must come after the checks that send the store traffic");
    }

    /// <summary>
    /// The same rule as declared dependencies: the mock engine answers the restarts group's inputs slowly enough (its YAML
    /// hashes the store several times) that timing alone could pass without them.
    /// </summary>
    [Fact]
    public async Task TheRestartsCheckDeclaresTheStoreAndTheChecksJobsAsDependencies()
    {
        var recorded = await new LabHarness().RunRecordedAsync();

        var restarts = recorded.Single(p => p.Key.GetResourceType() == ConfigGroupType && p.Key.GetResourceName() == RestartsGroup).Value;
        Assert.Contains(ConfigGroupType + " " + StoreGroup, restarts);
        Assert.Contains(ConfigGroupType + " " + ChecksGroup, restarts);
    }

    [Fact]
    public async Task TheCheckIsTheBlueprintsObjectsForTheClustersFacts()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var group = lab.OfType(ConfigGroupType).Single(r => r.Name == RestartsGroup);
        var settings = LabSettings.Defaults;
        Assert.Equal(LabManifest.RestartsYaml(settings, ClusterRevision, GatewayIp), group.Inputs["yaml"]);
        Assert.Contains("kind: Role\n", (string)group.Inputs["yaml"], StringComparison.Ordinal);
        Assert.DoesNotContain("ClusterRole", (string)group.Inputs["yaml"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStackSaysWhichJobRunsTheCheckAndWhatItProves()
    {
        var outputs = await new LabHarness().RunAsync();

        var summary = await ValueOf(Assert.IsType<Output<string>>(outputs["restartsCheck"]));
        Assert.StartsWith("pets/check-restarts-", summary, StringComparison.Ordinal);
        Assert.EndsWith(": " + RestartsCheck.Definition.Proves, summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutChecksThereIsNoRestartsCheck()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(new Dictionary<string, string> { ["istio-lab:checks"] = "false" });

        Assert.DoesNotContain(lab.Registered, r => r.Name!.StartsWith("istio-lab-restarts", StringComparison.Ordinal));
        Assert.Equal("disabled: istio-lab:checks is false", outputs["restartsCheck"]);
    }
}
