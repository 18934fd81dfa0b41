using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

public class LabTests
{
    private const string ChecksGroup = "istio-lab-checks-jobs";

    private static Dictionary<string, string> Config(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public async Task ExactlyOneResourceGroupWithTheConfiguredNameAndLocation()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(("istio-lab:resourceGroupName", "rg-mesh"), ("azure-native:location", "eastus2")));

        var group = lab.Single("azure-native:resources:ResourceGroup");
        Assert.Equal("rg-mesh", group.Inputs["resourceGroupName"]);
        Assert.Equal("eastus2", group.Inputs["location"]);
    }

    [Fact]
    public async Task TheClusterEnablesIstioWithAnEnabledExternalIngressGateway()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var profile = Map(lab.Single(ClusterType).Inputs["serviceMeshProfile"]);
        Assert.Equal("Istio", profile["mode"]);
        var gateways = List(Map(Map(profile["istio"])["components"])["ingressGateways"]);
        var gateway = Map(Assert.Single(gateways));
        Assert.Equal("External", gateway["mode"]);
        Assert.Equal(true, gateway["enabled"]);
    }

    [Fact]
    public async Task RevisionsAreSentOnlyWhenConfigured()
    {
        var unset = new LabHarness();
        await unset.RunAsync();
        var pinned = new LabHarness();
        await pinned.RunAsync(Config(("istio-lab:istioRevision", "asm-1-28")));

        Assert.False(Map(Map(unset.Single(ClusterType).Inputs["serviceMeshProfile"])["istio"]).ContainsKey("revisions"));
        var revisions = List(Map(Map(pinned.Single(ClusterType).Inputs["serviceMeshProfile"])["istio"])["revisions"]);
        Assert.Equal("asm-1-28", Assert.Single(revisions));
    }

    [Fact]
    public async Task TheClusterHasOneLinuxSystemPoolAndASystemIdentity()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(("istio-lab:nodeCount", "3"), ("istio-lab:nodeVmSize", "Standard_D8ds_v5")));

        var cluster = lab.Single(ClusterType).Inputs;
        var pool = Map(Assert.Single(List(cluster["agentPoolProfiles"])));
        Assert.Equal("System", pool["mode"]);
        Assert.Equal("Linux", pool["osType"]);
        Assert.Equal(3, Convert.ToInt32(pool["count"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Standard_D8ds_v5", pool["vmSize"]);
        Assert.Equal("SystemAssigned", Map(cluster["identity"])["type"]);
        Assert.Equal("istio-lab-aks", cluster["dnsPrefix"]);
        Assert.False(cluster.ContainsKey("kubernetesVersion"));
    }

    [Fact]
    public async Task TheProviderIsBuiltFromTheClustersCredentialsNeverTheAmbientKubeconfig()
    {
        var previous = Environment.GetEnvironmentVariable("KUBECONFIG");
        Environment.SetEnvironmentVariable("KUBECONFIG", "/home/someone/.kube/config");
        try
        {
            var lab = new LabHarness();
            await lab.RunAsync();

            var provider = lab.Single(ProviderType).Inputs;
            Assert.Equal(KubeConfig, provider["kubeconfig"]);
            Assert.Equal("true", provider["enableServerSideApply"].ToString(), ignoreCase: true);
            Assert.Equal("true", provider["deleteUnreachable"].ToString(), ignoreCase: true);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KUBECONFIG", previous);
        }
    }

    [Fact]
    public async Task TheKubeconfigOutputIsSecret()
    {
        var outputs = await new LabHarness().RunAsync();

        var kubeconfig = Assert.IsType<Output<string>>(outputs["kubeconfig"]);
        Assert.True(await Output.IsSecretAsync(kubeconfig));
        Assert.Equal(KubeConfig, await ValueOf(kubeconfig));
    }

    [Fact]
    public async Task PetsNamespaceCarriesTheClusterRevision()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync();

        var metadata = Map(lab.Single("kubernetes:core/v1:Namespace").Inputs["metadata"]);
        Assert.Equal("pets", metadata["name"]);
        Assert.Equal(ClusterRevision, Map(metadata["labels"])["istio.io/rev"]);
        Assert.Equal(ClusterRevision, await ValueOf(Assert.IsType<Output<string>>(outputs["istioRevision"])));
    }

    [Fact]
    public async Task TheStoreConfigGroupCarriesTheBlueprintYaml()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config(("istio-lab:storeVariant", "quickstart")));

        var group = lab.OfType(ConfigGroupType).Single(r => r.Name == "istio-lab-store-workloads");
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:storeVariant"] = "quickstart" });
        Assert.Equal(LabManifest.StoreYaml(settings), group.Inputs["yaml"]);

    }

    [Fact]
    public async Task TheStoreWaitsForItsLabelledNamespaceAndItsCredentials()
    {
        var lab = new LabHarness { Slow = r => r.Type is "kubernetes:core/v1:Namespace" or "kubernetes:core/v1:Secret" };
        await lab.RunAsync();

        Assert.True(lab.WaitedFor("istio-lab-store-workloads", "istio-lab-store-ns"), "the store must wait for the labelled namespace, or its pods start without sidecars");
        Assert.True(lab.WaitedFor("istio-lab-store-workloads", "istio-lab-store-rabbitmq-credentials"), "the store's pods read the RabbitMQ Secret at start");
    }

    [Fact]
    public async Task TheCredentialsSecretHoldsTheConfiguredSecretPassword()
    {
        var lab = new LabHarness();
        await lab.RunAsync(password: Output.CreateSecret("configured-password"));

        var secret = lab.OfType("kubernetes:core/v1:Secret").Single(r => r.Name == "istio-lab-store-rabbitmq-credentials").Inputs;
        var data = Map(secret["stringData"]);
        Assert.Equal("configured-password", data["password"]);
        Assert.Equal("storeuser", data["username"]);
        Assert.Equal("rabbitmq-credentials", Map(secret["metadata"])["name"]);
        Assert.DoesNotContain(lab.OfType("random:index/randomPassword:RandomPassword"), r => r.Name == "istio-lab-store-rabbitmq-password");
    }

    [Fact]
    public async Task WithoutAConfiguredPasswordOneIsGenerated()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var random = lab.OfType("random:index/randomPassword:RandomPassword").Single(r => r.Name == "istio-lab-store-rabbitmq-password").Inputs;
        Assert.True(Convert.ToInt32(random["length"], System.Globalization.CultureInfo.InvariantCulture) >= 16);
    }

    [Fact]
    public async Task PeerAuthenticationIsStrict()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var pa = lab.Single("kubernetes:security.istio.io/v1:PeerAuthentication").Inputs;
        Assert.Equal("pets", Map(pa["metadata"])["namespace"]);
        Assert.Equal("STRICT", Map(Map(pa["spec"])["mtls"])["mode"]);
        Assert.False(Map(pa["spec"]).ContainsKey("selector"), "a selector would leave every other workload of the namespace PERMISSIVE");
        Assert.False(Map(pa["spec"]).ContainsKey("portLevelMtls"), "a port-level mode would open a port to plaintext");
    }

    [Fact]
    public async Task GatewayAndVirtualServiceMatchTheWorkshop()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var gateway = Map(lab.Single("kubernetes:networking.istio.io/v1:Gateway").Inputs["spec"]);
        Assert.Equal("aks-istio-ingressgateway-external", Map(gateway["selector"])["istio"]);
        var server = Map(Assert.Single(List(gateway["servers"])));
        Assert.Equal(80, Convert.ToInt32(Map(server["port"])["number"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("HTTP", Map(server["port"])["protocol"]);
        Assert.Equal("*", Assert.Single(List(server["hosts"])));

        var route = Map(lab.Single("kubernetes:networking.istio.io/v1:VirtualService").Inputs["spec"]);
        Assert.Equal("store-gateway", Assert.Single(List(route["gateways"])));
        var http = Map(Assert.Single(List(route["http"])));
        Assert.Equal("/", Map(Map(Assert.Single(List(http["match"])))["uri"])["prefix"]);
        var destination = Map(Map(Assert.Single(List(http["route"])))["destination"]);
        Assert.Equal("store-front", destination["host"]);
        Assert.Equal(80, Convert.ToInt32(Map(destination["port"])["number"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TheGatewayServiceIsReadNeverManaged()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var services = lab.OfType("kubernetes:core/v1:Service").ToList();
        var read = Assert.Single(services);
        Assert.Equal("aks-istio-ingress/aks-istio-ingressgateway-external", read.Id);
    }

    [Fact]
    public async Task TheGatewayServiceIsReadOnlyAfterTheBoundedWaitForItsIp()
    {
        var lab = new LabHarness { Slow = r => r.Name is "istio-lab-mesh-ingress-wait" or "istio-lab-store-ns" };
        await lab.RunAsync();

        var wait = lab.OfType(ConfigGroupType).Single(r => r.Name == "istio-lab-mesh-ingress-wait");
        Assert.Equal(LabManifest.IngressWaitYaml(LabSettings.Defaults), wait.Inputs["yaml"]);
        Assert.Contains("kind: Job", Assert.IsType<string>(wait.Inputs["yaml"]), StringComparison.Ordinal);
        Assert.True(lab.WaitedFor("istio-lab-mesh-ingress", wait.Name!), "the gateway Service must be read after the wait");
        Assert.True(lab.WaitedFor(wait.Name!, "istio-lab-store-ns"), "the wait Job runs in the application namespace");
    }

    [Fact]
    public async Task TheStoreUrlIsBuiltFromTheGatewayServicesIp()
    {
        var outputs = await new LabHarness().RunAsync();

        Assert.Equal(GatewayIp, await ValueOf(Assert.IsType<Output<string>>(outputs["ingressIp"])));
        Assert.Equal($"http://{GatewayIp}/", await ValueOf(Assert.IsType<Output<string>>(outputs["storeUrl"])));
    }

    [Fact]
    public async Task TheStackOutputsNameTheGroupClusterAndRevision()
    {
        var outputs = await new LabHarness().RunAsync(Config(("istio-lab:clusterName", "mesh-aks")));

        Assert.Equal("istio-lab-rg", await ValueOf(Assert.IsType<Output<string>>(outputs["resourceGroupName"])));
        Assert.Equal("mesh-aks", await ValueOf(Assert.IsType<Output<string>>(outputs["clusterName"])));
    }

    [Fact]
    public async Task ABadConfigFailsBeforeAnyResourceIsRegistered()
    {
        var lab = new LabHarness();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lab.RunAsync(Config(("istio-lab:nodeCount", "0"), ("istio-lab:storeVariant", "full"))));

        Assert.Contains("istio-lab:nodeCount", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("istio-lab:storeVariant", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(lab.Registered);
    }

    /// <summary>The default stack, one with every optional component on (HTTPS self-signed), and HTTPS with Let's Encrypt.</summary>
    public static TheoryData<string> ParentStacks => new() { "default", "every-feature", "lets-encrypt" };

    [Theory]
    [MemberData(nameof(ParentStacks))]
    public async Task EveryResourceIsTheChildOfAComponent(string stack)
    {
        var lab = new LabHarness();
        string[] optional = [EgressLockdown.Type, HttpsAddress.Type, HttpsFrontDoor.Type, TrafficManagement.Type, UserIdentity.Type];
        await lab.RunRecordedAsync(stack switch
        {
            "default" => null,
            "lets-encrypt" => Config(("istio-lab:https", "lets-encrypt")),
            _ => EveryOptionalFeature(),
        });

        var parents = RecordingStack.Parents.Where(p => p.Key is not Stack).ToDictionary(p => p.Key, p => p.Value);
        var components = parents.Keys.Where(r => r.GetResourceType().StartsWith("istiolab:index:", StringComparison.Ordinal)).ToList();
        string[] always = [AksCluster.Type, MeshConfiguration.Type, MeshRouting.Type, Observability.Type, RestartsCheckComponent.Type, StoreApp.Type, StoreAuthorization.Type, WorkshopChecksComponent.Type];
        Assert.Equal(
            always.Concat(stack switch { "default" => [], "lets-encrypt" => [HttpsAddress.Type, HttpsFrontDoor.Type], _ => optional }).Order(StringComparer.Ordinal),
            components.Select(c => c.GetResourceType()).Order(StringComparer.Ordinal));
        Assert.All(components, c => Assert.Null(parents[c]));
        var others = parents.Where(p => !components.Contains(p.Key)).ToList();
        Assert.True(others.Count >= 10, $"expected every Azure and Kubernetes resource to be recorded; saw {others.Count}");
        Assert.All(others, p => Assert.True(
            p.Value is not null && components.Contains(p.Value),
            $"{p.Key.GetResourceType()} {p.Key.GetResourceName()} has parent {p.Value?.GetResourceType() ?? "(the stack)"}, not one of the lab's components"));
    }

    [Fact]
    public async Task AnUnknownLabKeyFailsTheRunBeforeAnyResourceIsRegistered()
    {
        var lab = new LabHarness();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => lab.RunAsync(Config(("istio-lab:istioRevison", "asm-1-30"))));

        Assert.Contains("istio-lab:istioRevison = 'asm-1-30' is not a setting of this lab", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("istio-lab:istioRevision", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(lab.Registered);
    }

    [Fact]
    public async Task TwoRunsWithTheSameConfigRegisterIdenticalInputs()
    {
        var config = Config(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"));
        var first = new LabHarness();
        await first.RunAsync(config);
        var second = new LabHarness();
        await second.RunAsync(config);

        Assert.Equal(first.Snapshot(), second.Snapshot());
    }

    [Fact]
    public async Task TheChecksAreTheBlueprintsJobsForTheLiveRevisionAndIp()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        var yaml = Assert.IsType<string>(lab.OfType(ConfigGroupType).Single(r => r.Name == ChecksGroup).Inputs["yaml"]);
        Assert.Equal(LabManifest.ChecksYaml(LabSettings.Defaults, ClusterRevision, GatewayIp), yaml);
        Assert.Contains($"http://{GatewayIp}/", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheChecksOutputSaysWhichChecksRan()
    {
        var outputs = await new LabHarness().RunAsync();

        var summary = await ValueOf(Assert.IsType<Output<System.Collections.Immutable.ImmutableDictionary<string, string>>>(outputs["checks"]));
        Assert.Equal(["gateway", "inside", "kiali", "metrics", "outside"], summary.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("pets-outside-mesh/check-outside-", summary["outside"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheChecksAreAbsentWhenDisabled()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(Config(("istio-lab:checks", "false")));

        Assert.DoesNotContain(lab.Registered, r => r.Type == WorkshopChecksComponent.Type || r.Name == ChecksGroup);
        Assert.Equal(
            ["istio-lab-mesh-ingress-wait", "istio-lab-observability-in-cluster", "istio-lab-store-workloads"],
            lab.OfType(ConfigGroupType).Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.StartsWith("disabled", Assert.IsType<string>(outputs["checks"]), StringComparison.Ordinal);
    }
}
