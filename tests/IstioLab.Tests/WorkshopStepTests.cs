using System.Globalization;
using System.Text.RegularExpressions;
using IstioLab.Blueprint.Settings;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>
/// <c>istio-lab:workshopStep</c> under the mock engine: each step registers exactly its cumulative set, moving up a step
/// only adds resources or updates them in place (never a replacement of the cluster), and docs/workshop.md lists
/// what each step's preview adds.
/// </summary>
public partial class WorkshopStepTests
{
    private const string PeerAuthenticationType = "kubernetes:security.istio.io/v1:PeerAuthentication";
    private const string GatewayType = "kubernetes:networking.istio.io/v1:Gateway";
    private const string VirtualServiceType = "kubernetes:networking.istio.io/v1:VirtualService";
    private const string NamespaceType = "kubernetes:core/v1:Namespace";

    /// <summary>The check Jobs: each step runs its own, so these are replaced from one step to the next by design.</summary>
    private static readonly string[] ChecksOfAStep = ["istio-lab-checks-jobs", "istio-lab-restarts-objects"];

    private static Dictionary<string, string> Step(int? step) =>
        step is { } s ? new() { ["istio-lab:workshopStep"] = s.ToString(CultureInfo.InvariantCulture) } : [];

    private static async Task<LabHarness> RunAsync(int? step)
    {
        var lab = new LabHarness();
        await lab.RunAsync(Step(step));
        return lab;
    }

    private static bool IngressGatewayEnabled(LabHarness lab)
    {
        var profile = Map(lab.Single(ClusterType).Inputs["serviceMeshProfile"]);
        var gateway = Map(Assert.Single(List(Map(Map(profile["istio"])["components"])["ingressGateways"])));
        Assert.Equal("External", gateway["mode"]);
        return (bool)gateway["enabled"];
    }

    private static bool IsKubernetesObject(MockResourceArgs r) => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal);

    [Fact]
    public async Task StepOneRegistersTheClusterWithTheAddOnAndNoKubernetesObject()
    {
        var lab = await RunAsync(1);
        var outputs = await new LabHarness().RunAsync(Step(1));
        Assert.Equal("not yet: Kiali comes at workshop step 5", outputs["kialiToken"]);

        Assert.Equal("Istio", Map(lab.Single(ClusterType).Inputs["serviceMeshProfile"])["mode"]);
        Assert.False(IngressGatewayEnabled(lab));
        Assert.DoesNotContain(lab.Registered, IsKubernetesObject);
        Assert.Single(lab.OfType("azure-native:monitor:AzureMonitorWorkspace"));
        Assert.Single(lab.OfType("azure-native:dashboard:Grafana"));
    }

    [Fact]
    public async Task StepTwoAddsTheStoreButNoStrictMutualTlsNoGatewayAndNoIngressOnTheCluster()
    {
        var lab = await RunAsync(2);

        Assert.Single(lab.OfType(NamespaceType), r => r.Name == "istio-lab-store-ns");
        Assert.Contains(lab.OfType(ConfigGroupType), r => r.Name == "istio-lab-store-workloads");
        Assert.Empty(lab.OfType(PeerAuthenticationType));
        Assert.Empty(lab.OfType(GatewayType));
        Assert.Empty(lab.OfType(VirtualServiceType));
        Assert.False(IngressGatewayEnabled(lab));
        var checks = (string)Assert.Single(lab.OfType(ConfigGroupType), r => r.Name == ChecksOfAStep[0]).Inputs["yaml"];
        Assert.Contains("name: check-sidecars-", checks, StringComparison.Ordinal);
        Assert.Contains("name: check-permissive-", checks, StringComparison.Ordinal);
        Assert.DoesNotContain("name: check-outside-", checks, StringComparison.Ordinal);
        Assert.Empty(lab.OfType(ChartType));
    }

    [Fact]
    public async Task StepThreeAddsTheStrictPeerAuthenticationAndTheChecksWaitForIt()
    {
        var lab = new LabHarness { Slow = r => r.Type == PeerAuthenticationType };
        await lab.RunAsync(Step(3));

        var strict = lab.Single(PeerAuthenticationType);
        Assert.Equal("STRICT", Map(Map(strict.Inputs["spec"])["mtls"])["mode"]);
        Assert.Empty(lab.OfType(GatewayType));
        Assert.False(IngressGatewayEnabled(lab));
        Assert.True(lab.WaitedFor(ChecksOfAStep[0], strict.Name!), "the outside and inside checks must wait for STRICT mTLS");
        var checks = (string)Assert.Single(lab.OfType(ConfigGroupType), r => r.Name == ChecksOfAStep[0]).Inputs["yaml"];
        Assert.Contains("name: check-outside-", checks, StringComparison.Ordinal);
        Assert.DoesNotContain("name: check-gateway-", checks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepFourEnablesTheClustersExternalIngressGatewayAndAddsTheGatewayAndTheRoute()
    {
        var lab = await RunAsync(4);

        Assert.True(IngressGatewayEnabled(lab));
        Assert.Single(lab.OfType(GatewayType));
        Assert.Single(lab.OfType(VirtualServiceType));
        Assert.Empty(lab.OfType(ChartType));
        Assert.DoesNotContain(lab.OfType(ConfigGroupType), r => r.Name == "istio-lab-observability-in-cluster");
        var checks = (string)Assert.Single(lab.OfType(ConfigGroupType), r => r.Name == ChecksOfAStep[0]).Inputs["yaml"];
        Assert.Contains("name: check-gateway-", checks, StringComparison.Ordinal);
        Assert.DoesNotContain("name: check-metrics-", checks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepFiveIsTodaysWholeLab()
    {
        var unset = await RunAsync(null);
        var five = await RunAsync(5);

        Assert.Equal(unset.Snapshot(), five.Snapshot());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task MovingUpAStepOnlyAddsOrUpdatesAndTheClusterOnlyChangesItsIngressGateway(int step)
    {
        var before = (await RunAsync(step)).Registered.ToDictionary(r => $"{r.Type} {r.Name}");
        var after = (await RunAsync(step + 1)).Registered.ToDictionary(r => $"{r.Type} {r.Name}");

        var gone = before.Keys.Except(after.Keys).ToList();
        Assert.True(gone.Count == 0, $"step {step + 1} removes what step {step} built: {string.Join(", ", gone)}");
        var changed = before.Where(p => Canonical(p.Value.Inputs) != Canonical(after[p.Key].Inputs)).Select(p => p.Key).ToList();
        Assert.All(changed, key => Assert.True(
            key == $"{ClusterType} istio-lab-cluster-aks" || ChecksOfAStep.Any(c => key.EndsWith(" " + c, StringComparison.Ordinal)),
            $"{key} changes from step {step} to {step + 1}"));
        Assert.True(after.Count > before.Count, $"step {step + 1} adds nothing");

        // The cluster keeps every input but the external ingress gateway's switch, which Azure updates in place.
        var cluster = $"{ClusterType} istio-lab-cluster-aks";
        static string WithoutIngress(MockResourceArgs r) => Canonical(r.Inputs).Replace("\"enabled\":true,\"mode\":\"External\"", "\"enabled\":?,\"mode\":\"External\"", StringComparison.Ordinal)
            .Replace("\"enabled\":false,\"mode\":\"External\"", "\"enabled\":?,\"mode\":\"External\"", StringComparison.Ordinal);
        Assert.Equal(WithoutIngress(before[cluster]), WithoutIngress(after[cluster]));
    }

    [Fact]
    public async Task TheChecksOutputNamesTheStepAndWhatItProves()
    {
        var outputs = await new LabHarness().RunAsync(Step(2));

        Assert.Equal("Deploy the store into the mesh", outputs["workshopStep"]);
        var checks = await ValueOf((Pulumi.Output<System.Collections.Immutable.ImmutableDictionary<string, string>>)outputs["checks"]!);
        Assert.Equal(["permissive", "sidecars"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("every pod of the store carries an Istio sidecar", checks["sidecars"], StringComparison.Ordinal);
        Assert.StartsWith("not yet:", (string)(await ValueOf((Pulumi.Output<string>)outputs["storeUrl"]!)), StringComparison.Ordinal);
        Assert.Equal("not yet: Kiali comes at workshop step 5", outputs["kialiPortForward"]);
    }

    [Fact]
    public async Task TheWorkshopPageListsWhatEachStepsPreviewAdds()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "workshop.md"));
        var previous = new HashSet<string>();
        for (var step = 1; step <= WorkshopSteps.Last; step++)
        {
            var names = (await RunAsync(step)).Registered.Select(r => r.Name!).ToHashSet();
            var added = names.Except(previous).Order(StringComparer.Ordinal).ToList();
            var row = PreviewRow().Matches(page).Select(m => m.Groups).SingleOrDefault(g => g[1].Value == step.ToString(CultureInfo.InvariantCulture));
            Assert.True(row is not null, $"docs/workshop.md has no row for step {step} in its preview table");
            var documented = row[2].Value.Split(", ").Select(n => n.Trim('`')).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(added, documented);
            previous = names;
        }
    }

    [Theory]
    [InlineData(null, "off")]
    [InlineData(null, "self-signed")]
    [InlineData(2, "off")]
    [InlineData(null, "off", "lab-issuer")]
    public async Task TheReadmesOutputsTableNamesEveryStackOutput(int? step, string https, string userAuth = "off")
    {
        var config = Step(step);
        config["istio-lab:https"] = https;
        config["istio-lab:userAuth"] = userAuth;
        var outputs = await new LabHarness().RunAsync(config);
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

        Assert.All(outputs.Keys, key => Assert.True(
            readme.Contains($"| `{key}` |", StringComparison.Ordinal) || readme.Contains($"| `{key}`, ", StringComparison.Ordinal) || readme.Contains($", `{key}` |", StringComparison.Ordinal),
            $"the README's outputs table does not name {key}"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IstioLab.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IstioLab.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?m)^\| (\d) \| (`[^|]*`) \|$")]
    private static partial Regex PreviewRow();
}
