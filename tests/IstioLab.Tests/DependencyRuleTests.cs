using System.Text.RegularExpressions;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>
/// The rules every Kubernetes object of the lab follows, whatever component creates it: it waits for the namespace it
/// lives in, it goes to the cluster through the lab's explicit provider, and the checks wait for everything they
/// verify. Ordering is asserted with slowed registrations (<see cref="LabHarness.Slow"/>), never registration order:
/// a resource that does not wait for a slowed one registers before the engine has answered for it.
/// </summary>
public class DependencyRuleTests
{
    private const string ChecksGroup = "istio-lab-checks-jobs";
    private const string NamespaceType = "kubernetes:core/v1:Namespace";

    /// <summary>Long enough that no chain of registrations that skips the slowed resource can outlast it.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Between them, every optional Kubernetes object on: the allow-list; HTTPS through cert-manager (a chart and its
    /// namespace); and every optional feature at once (<see cref="LabHarness.EveryOptionalFeature"/>): traffic management (store-front-v2 and its rules), user identity (the
    /// gateway's policies and the identity check, whose namespace is the checks' own, created by their YAML and
    /// waited for as the checks are), egress lockdown (the Sidecar and its ServiceEntries), a canary revision (a
    /// second shared MeshConfig) and self-signed HTTPS (the gateway's TLS Secret).
    /// </summary>
    public static TheoryData<string> Stacks => new() { "allow-list", "lets-encrypt", "everything-else" };

    private static Dictionary<string, string> Config(string stack) => stack switch
    {
        "allow-list" => new() { ["istio-lab:authorization"] = "allow-list" },
        "lets-encrypt" => new() { ["istio-lab:https"] = "lets-encrypt" },
        _ => EveryOptionalFeature(),
    };

    private static Dictionary<string, string> Config(string key, string value) => new() { [key] = value };

    private static string NameOf(MockResourceArgs resource) =>
        resource.Inputs.TryGetValue("metadata", out var metadata) && Map(metadata).TryGetValue("name", out var name) ? (string)name : "";

    /// <summary>The Kubernetes namespaces a registration puts objects in: its metadata's, a chart's, and every one named in a ConfigGroup's YAML.</summary>
    private static IEnumerable<string> NamespacesOf(MockResourceArgs resource)
    {
        if (resource.Type == ConfigGroupType)
        {
            return Regex.Matches(Assert.IsType<string>(resource.Inputs["yaml"]), @"^\s*namespace: ""?([a-z0-9-]+)""?\s*$", RegexOptions.Multiline)
                .Select(m => m.Groups[1].Value).Distinct();
        }

        if (resource.Type == ChartType)
        {
            return resource.Inputs.TryGetValue("namespace", out var ns) ? [(string)ns] : [];
        }

        return resource.Inputs.TryGetValue("metadata", out var metadata) && Map(metadata).TryGetValue("namespace", out var name) ? [(string)name] : [];
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task EveryNamespacedObjectWaitsForTheNamespaceTheLabCreatesForIt(string stack)
    {
        var lab = new LabHarness { Slow = r => r.Type == NamespaceType, SlowFor = Pause };
        await lab.RunAsync(Config(stack));

        var namespaces = lab.OfType(NamespaceType).ToDictionary(NameOf, r => r.Name!);
        Assert.Contains("pets", namespaces.Keys);
        var inLabNamespaces = lab.Registered
            .Where(r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal) && r.Type != NamespaceType)
            .SelectMany(r => NamespacesOf(r).Where(namespaces.ContainsKey).Select(ns => (Resource: r, Namespace: ns)))
            .ToList();

        // Not vacuous: the store's accounts and Secret, the mesh objects, the policies and the YAML groups are all found.
        var types = inLabNamespaces.Where(p => p.Namespace == "pets").Select(p => p.Resource.Type).ToHashSet();
        foreach (var type in new[]
        {
            ServiceAccountType, SecretType, PeerAuthenticationType, "kubernetes:networking.istio.io/v1:Gateway",
            "kubernetes:networking.istio.io/v1:VirtualService", ConfigGroupType,
        })
        {
            Assert.Contains(type, types);
        }

        Assert.Contains(inLabNamespaces, p => p.Resource.Name == "istio-lab-store-workloads");
        Assert.Contains(inLabNamespaces, p => p.Resource.Name == "istio-lab-mesh-ingress-wait");
        Assert.Contains(inLabNamespaces, p => p.Resource.Name == ChecksGroup);
        switch (stack)
        {
            case "allow-list":
                Assert.Contains(PolicyType, types);
                break;
            case "lets-encrypt":
                Assert.Contains(inLabNamespaces, p => p.Resource.Type == ChartType && p.Namespace == "cert-manager");
                break;
            default:
                Assert.Contains("kubernetes:networking.istio.io/v1:DestinationRule", types);
                Assert.Contains("kubernetes:networking.istio.io/v1:ServiceEntry", types);
                Assert.Contains("kubernetes:networking.istio.io/v1:Sidecar", types);
                Assert.Contains(inLabNamespaces, p => p.Resource.Name == "istio-lab-traffic-canary");
                break;
        }

        Assert.All(inLabNamespaces, p => Assert.True(
            lab.WaitedFor(p.Resource.Name!, namespaces[p.Namespace]),
            $"{p.Resource.Type} {p.Resource.Name} lives in namespace {p.Namespace} and must wait for it, or a real cluster may refuse it"));
    }

    /// <summary>Each thing a check proves, slowed on its own: the checks' Jobs must still start only after it is ready.</summary>
    public static TheoryData<string> Verified => new()
    {
        "istio-lab-mesh-mtls",
        "istio-lab-mesh-gateway",
        "istio-lab-mesh-route",
        "istio-lab-mesh-ingress",
        "istio-lab-store-workloads",
        "istio-lab-authorization-allow-nothing",
        "istio-lab-observability-in-cluster",
        "istio-lab-observability-kiali",
    };

    [Theory]
    [MemberData(nameof(Verified))]
    public async Task TheChecksRunAfterEverythingTheyVerify(string verified)
    {
        var lab = new LabHarness { Slow = r => r.Name == verified, SlowFor = Pause };
        await lab.RunAsync(Config("istio-lab:authorization", "allow-list"));

        Assert.Contains(lab.Registered, r => r.Name == verified);
        Assert.True(lab.WaitedFor(ChecksGroup, verified), $"the checks must wait for {verified}, or a failed {verified} would not stop them");
    }

    [Fact]
    public async Task TheClustersCredentialsAreReadOnlyOnceTheClusterExists()
    {
        // On a first run the cluster does not exist until its create completes: reading its kubeconfig earlier fails the update.
        const string Credentials = InvokePrefix + "azure-native:containerservice:listManagedClusterUserCredentials";
        var lab = new LabHarness { Slow = r => r.Type == "azure-native:containerservice:ManagedCluster", SlowFor = Pause };
        await lab.RunAsync();

        var cluster = lab.Single("azure-native:containerservice:ManagedCluster").Name!;
        Assert.True(lab.WaitedFor(Credentials, cluster), $"the kubeconfig must be read after {cluster} is created");
    }

    [Fact]
    public async Task AtWorkshopStepThreeTheChecksStillWaitForTheStore()
    {
        // Before step 4 no VirtualService leads to the store, so only the checks' own dependency makes them wait for it.
        var lab = new LabHarness { Slow = r => r.Name == "istio-lab-store-workloads", SlowFor = Pause };
        await lab.RunAsync(Config("istio-lab:workshopStep", "3"));

        Assert.DoesNotContain(lab.Registered, r => r.Name == "istio-lab-mesh-route");
        Assert.True(lab.WaitedFor(ChecksGroup, "istio-lab-store-workloads"), "the checks must wait for the store they call");
    }

    [Fact]
    public async Task TheChecksWaitForEveryAuthorizationPolicy()
    {
        var lab = new LabHarness { Slow = r => r.Type == PolicyType, SlowFor = Pause };
        await lab.RunAsync(Config("istio-lab:authorization", "allow-list"));

        var policies = lab.OfType(PolicyType).ToList();
        Assert.True(policies.Count >= 2, $"expected the ALLOW policies and allow-nothing; saw {policies.Count}");
        Assert.All(policies, p => Assert.True(lab.WaitedFor(ChecksGroup, p.Name!), $"the checks must wait for {p.Name}"));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task EveryKubernetesResourceUsesTheExplicitProvider(string stack)
    {
        // As the engine receives them: a custom resource's provider reference names the lab's provider.
        var lab = new LabHarness();
        await lab.RunAsync(Config(stack));
        var provider = lab.Single(ProviderType);
        var custom = lab.Registered.Where(r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal)
            && r.Type is not ConfigGroupType and not ChartType).ToList();
        Assert.True(custom.Count >= 10, $"expected the namespace, Secret, accounts, Istio objects and the gateway read; saw {custom.Count}");
        Assert.All(custom, r => Assert.Contains($"{ProviderType}::{provider.Name}::", r.Provider, StringComparison.Ordinal));

        // ConfigGroups and charts are remote components: their provider is in their options, recorded as given.
        var recorded = new LabHarness();
        await recorded.RunRecordedAsync(Config(stack));
        var kubernetes = RecordingStack.Providers.Where(p => p.Key.GetResourceType().StartsWith("kubernetes:", StringComparison.Ordinal)).ToList();
        var components = kubernetes.Where(p => p.Key.GetResourceType() is ConfigGroupType or ChartType).Select(p => p.Key.GetResourceName()).ToList();
        Assert.Contains("istio-lab-store-workloads", components);
        Assert.Contains(ChecksGroup, components);
        Assert.Contains("istio-lab-observability-kiali", components);
        if (stack == "lets-encrypt")
        {
            Assert.Contains("istio-lab-https-cert-manager", components);
        }

        if (stack == "everything-else")
        {
            Assert.Contains("istio-lab-traffic-canary", components);
            Assert.Contains("istio-lab-identity-check", components);
            Assert.Contains(custom, r => r.Type == "kubernetes:security.istio.io/v1:RequestAuthentication");
            Assert.Contains(custom, r => r.Type == "kubernetes:networking.istio.io/v1:Sidecar");
            Assert.Contains(custom, r => r.Type == "kubernetes:networking.istio.io/v1:DestinationRule");
            Assert.Equal(2, custom.Count(r => r.Type == "kubernetes:core/v1:ConfigMap" && NameOf(r).StartsWith("istio-shared-configmap-", StringComparison.Ordinal)));
            Assert.Contains(custom, r => r.Type == "kubernetes:core/v1:Secret" && r.Name == "istio-lab-https-tls");
        }

        Assert.All(kubernetes, p => Assert.True(
            p.Value is { } given && given.GetResourceType() == ProviderType && given.GetResourceName() == provider.Name,
            $"{p.Key.GetResourceType()} {p.Key.GetResourceName()} must use the lab's provider {provider.Name}, not the ambient kubeconfig's cluster"));
    }
}
