using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using IstioLab.Blueprint.Settings;
using Moq;
using Pulumi;
using Pulumi.Testing;

namespace IstioLab.Tests;

/// <summary>
/// Runs the lab against Pulumi's mock engine. The mocks answer like Azure and the cluster would: the AKS cluster
/// reports the Istio revision it runs (<see cref="ClusterRevision"/> unless one is configured), the credentials
/// call returns a base64 kubeconfig, and the add-on's gateway Service has a LoadBalancer IP.
/// </summary>
internal sealed class LabHarness
{
    public const string ClusterRevision = "asm-1-27";
    public const string GatewayIp = "20.50.60.70";
    public const string SubscriptionId = "00000000-1111-2222-3333-444444444444";
    public const string DeployerObjectId = "99999999-8888-7777-6666-555555555555";
    public const string OidcIssuer = "https://westeurope.oic.prod-aks.azure.com/tenant-id/cluster-id/";
    public const string QueryEndpoint = "https://istio-lab-aks-amw-abcd.westeurope.prometheus.monitor.azure.com";
    public const string GrafanaEndpoint = "https://grafana-istio-lab-aks-abcd.weu.grafana.azure.com";
    public const string GrafanaPrincipalId = "grafana-principal-id";

    /// <summary>What the mocks report as a user-assigned identity's client and principal ids, from its Azure name.</summary>
    public static string ClientIdOf(string identityName) => $"{identityName}-client-id";

    public static string PrincipalIdOf(string identityName) => $"{identityName}-principal-id";

    public const string ClusterPrincipalId = "00000000-0000-0000-0000-00000000c1a5";

    /// <summary>The deploying principal's ARM token, as <c>getClientToken</c> answers.</summary>
    public const string ArmToken = "arm-token-of-the-deployer";
    public const string StaticIp = "51.10.20.30";
    public const string CaPem = "-----BEGIN CERTIFICATE-----\nLAB-CA\n-----END CERTIFICATE-----\n";
    public const string ServerPem = "-----BEGIN CERTIFICATE-----\nSERVER\n-----END CERTIFICATE-----\n";
    public const string KeyPem = "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n";
    public const string KubeConfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: istio-lab\n  cluster:\n    server: https://istio-lab.hcp.westeurope.azmk8s.io:443\n";

    /// <summary>When the TLS provider says a self-signed certificate's validity starts and ends.</summary>
    public const string CertificateStart = "2026-12-05T10:00:00Z";
    public const string CertificateEnd = "2027-01-04T10:00:00Z";

    /// <summary>The RSA keys the mocks gave each <c>tls.PrivateKey</c> with algorithm RSA, by resource name.</summary>
    public ConcurrentDictionary<string, System.Security.Cryptography.RSA> RsaKeys { get; } = new();

    private readonly ConcurrentQueue<MockResourceArgs> registered = new();
    private readonly ConcurrentQueue<(bool Done, string Name)> timeline = new();

    // Loose: IMocks.RegisterResourceOutputs has a default implementation that a strict mock would reject.
    public Mock<IMocks> Mocks { get; } = new(MockBehavior.Loose);

    /// <summary>Every resource the program registered or read, in the order the engine saw them.</summary>
    public IReadOnlyList<MockResourceArgs> Registered => [.. registered];

    /// <summary>
    /// Resources whose registration the mock engine answers only after a pause. A resource that does not wait for them
    /// then registers before they complete, which <see cref="WaitedFor"/> detects.
    /// </summary>
    public Func<MockResourceArgs, bool> Slow { get; set; } = _ => false;

    /// <summary>How long the engine pauses for a <see cref="Slow"/> resource: longer than any chain of registrations that does not wait for it.</summary>
    public TimeSpan SlowFor { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The name an invoke has in <see cref="WaitedFor"/>: this prefix and its token.</summary>
    public const string InvokePrefix = "invoke:";

    /// <summary>Whether <paramref name="dependent"/> was registered only after the engine answered for <paramref name="dependency"/>.</summary>
    public bool WaitedFor(string dependent, string dependency)
    {
        var events = timeline.ToList();
        var done = events.IndexOf((true, dependency));
        var start = events.IndexOf((false, dependent));
        return done >= 0 && start > done;
    }

    public LabHarness()
    {
        Mocks.Setup(m => m.NewResourceAsync(It.IsAny<MockResourceArgs>()))
            .Returns(async (MockResourceArgs args) =>
            {
                timeline.Enqueue((false, args.Name!));
                var result = NewResource(args);
                if (Slow(args))
                {
                    await Task.Delay(SlowFor);
                }

                timeline.Enqueue((true, args.Name!));
                return result;
            });
        Mocks.Setup(m => m.CallAsync(It.IsAny<MockCallArgs>()))
            .ReturnsAsync((MockCallArgs args) =>
            {
                // An invoke enters the timeline as "invoke:<token>", so WaitedFor can say what it waited for.
                timeline.Enqueue((false, InvokePrefix + args.Token));
                return (object)Call(args);
            });
    }

    /// <summary>
    /// A stack with every optional Kubernetes feature on at once: the allow-list, traffic management (store-front-v2,
    /// its rules and faults), user identity from the lab's issuer, egress lockdown with two hosts, a canary revision and
    /// self-signed HTTPS. The rule tests run it so that no component escapes them.
    /// </summary>
    public static Dictionary<string, string> EveryOptionalFeature() => new()
    {
        ["istio-lab:authorization"] = "allow-list",
        ["istio-lab:canaryWeight"] = "20",
        ["istio-lab:abHeader"] = "x-store-variant=b",
        ["istio-lab:faultAbortPercent"] = "10",
        ["istio-lab:timeout"] = "3s",
        ["istio-lab:retries"] = "2",
        ["istio-lab:circuitBreaker"] = "true",
        ["istio-lab:userAuth"] = "lab-issuer",
        ["istio-lab:egress"] = "allow-list",
        ["istio-lab:egressHosts"] = "api.example.com,httpbin.org:80",
        ["istio-lab:istioRevision"] = "asm-1-29",
        ["istio-lab:istioCanaryRevision"] = "asm-1-30",
        ["istio-lab:https"] = "self-signed",
    };

    /// <summary>What ARM answers for the location's mesh revision profile: by default every revision the tests use, each upgradable by one or two minors.</summary>
    public FakeArm Arm { get; set; } = FakeArm.OfferingUpgrades(27, 33);

    /// <summary>Runs the program (<see cref="Lab.BuildAsync"/>, the revision check first) with the given stack config and returns the stack outputs.</summary>
    public async Task<IDictionary<string, object?>> RunAsync(IReadOnlyDictionary<string, string>? config = null, Output<string>? password = null)
    {
        var (_, outputs) = await RunProgramAsync(config, () => Lab.BuildAsync(StackSettings.Read(), password, Arm));
        return outputs;
    }

    /// <summary>Runs an asynchronous program under the mock engine with <paramref name="config"/> as stack config.</summary>
    public async Task<(ImmutableArray<Resource> Resources, IDictionary<string, object?> Outputs)> RunProgramAsync(
        IReadOnlyDictionary<string, string>? config, Func<Task<IDictionary<string, object?>>> program)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(config ?? new Dictionary<string, string>());
        var previous = Environment.GetEnvironmentVariable("PULUMI_CONFIG");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", json);
        try
        {
            return await Deployment.TestAsync(
                Mocks.Object,
                new TestOptions { IsPreview = false, ProjectName = ConfigKeys.ProjectNamespace, StackName = "test" },
                program);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PULUMI_CONFIG", previous);
        }
    }

    /// <summary>
    /// Runs the lab in a <see cref="RecordingStack"/>, which records every resource's explicit parent and dependencies,
    /// and returns each resource's dependencies as <c>"&lt;type&gt; &lt;name&gt;"</c>.
    /// </summary>
    public async Task<Dictionary<Resource, List<string>>> RunRecordedAsync(IReadOnlyDictionary<string, string>? config = null)
    {
        RecordingStack.Parents.Clear();
        RecordingStack.DependsOn.Clear();
        RecordingStack.Providers.Clear();
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", System.Text.Json.JsonSerializer.Serialize(config ?? new Dictionary<string, string>()));
        try
        {
            await Deployment.TestAsync<RecordingStack>(
                Mocks.Object,
                new TestOptions { IsPreview = false, ProjectName = ConfigKeys.ProjectNamespace, StackName = "test" });
        }
        finally
        {
            Environment.SetEnvironmentVariable("PULUMI_CONFIG", null);
        }

        var dependencies = new Dictionary<Resource, List<string>>();
        foreach (var (resource, list) in RecordingStack.DependsOn)
        {
            var resources = await ValueOf((Output<ImmutableArray<Resource>>)list);
            dependencies[resource] = [.. resources.Select(r => $"{r.GetResourceType()} {r.GetResourceName()}")];
        }

        return dependencies;
    }

    /// <summary>Runs <paramref name="program"/> under the mock engine with <paramref name="config"/> as stack config.</summary>
    public Task<(ImmutableArray<Resource> Resources, IDictionary<string, object?> Outputs)> RunProgramAsync(
        IReadOnlyDictionary<string, string>? config, Func<IDictionary<string, object?>> program) =>
        RunProgramAsync(config, () => Task.FromResult(program()));

    /// <summary>Every registration as one line (type, name, id and canonical inputs), sorted: two equal runs give equal lists.</summary>
    public List<string> Snapshot() =>
        [.. Registered.Select(r => $"{r.Type} {r.Name} {r.Id} {Canonical(r.Inputs)}").Order(StringComparer.Ordinal)];

    /// <summary>Plain data as JSON with its keys sorted, so the blueprint's data and the engine's inputs compare as values.</summary>
    public static string Canonical(object? value) => value switch
    {
        string text => System.Text.Json.JsonSerializer.Serialize(text),
        System.Collections.IDictionary map => "{" + string.Join(",", map.Keys.Cast<object>().Select(k => k.ToString()!).Order(StringComparer.Ordinal)
            .Select(k => System.Text.Json.JsonSerializer.Serialize(k) + ":" + Canonical(map[k]))) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(",", list.Cast<object?>().Select(Canonical)) + "]",
        _ => System.Text.Json.JsonSerializer.Serialize(value),
    };

    public IEnumerable<MockResourceArgs> OfType(string type) => Registered.Where(r => r.Type == type);

    public MockResourceArgs Single(string type) => Assert.Single(OfType(type));

    public static Task<T> ValueOf<T>(Output<T> output)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        output.Apply(value =>
        {
            completion.TrySetResult(value);
            return value;
        });
        return completion.Task;
    }

    public static ImmutableDictionary<string, object> Map(object value) => Assert.IsAssignableFrom<ImmutableDictionary<string, object>>(value);

    public static ImmutableArray<object> List(object value) => Assert.IsType<ImmutableArray<object>>(value);

    private (string? Id, object State) NewResource(MockResourceArgs args)
    {
        registered.Enqueue(args);
        var id = string.IsNullOrEmpty(args.Id) ? $"{args.Name}-id" : args.Id;
        var state = args.Inputs;

        switch (args.Type)
        {
            case "azure-native:resources:ResourceGroup":
                state = state.SetItem("name", state["resourceGroupName"]);
                break;

            case "azure-native:containerservice:ManagedCluster":
                var configured = state.TryGetValue("serviceMeshProfile", out var profile)
                    && Map(profile).TryGetValue("istio", out var istio)
                    && Map(istio).TryGetValue("revisions", out var revisions)
                        ? List(revisions)
                        : ImmutableArray.Create<object>(ClusterRevision);
                if (state.TryGetValue("oidcIssuerProfile", out var oidc) && Map(oidc).TryGetValue("enabled", out var on) && on is true)
                {
                    state = state.SetItem("oidcIssuerProfile", ImmutableDictionary<string, object>.Empty.Add("enabled", true).Add("issuerURL", OidcIssuer));
                }

                state = state
                    .SetItem("identity", Map(state["identity"]).SetItem("principalId", ClusterPrincipalId))
                    .SetItem("name", state["resourceName"])
                    .SetItem("fqdn", $"{state["resourceName"]}.hcp.westeurope.azmk8s.io")
                    .SetItem("serviceMeshProfile", ImmutableDictionary<string, object>.Empty
                        .Add("mode", "Istio")
                        .Add("istio", ImmutableDictionary<string, object>.Empty.Add("revisions", configured)));
                break;

            case "azure-native:monitor:AzureMonitorWorkspace":
                state = state.SetItem("metrics", ImmutableDictionary<string, object>.Empty
                    .Add("internalId", "mac_0000").Add("prometheusQueryEndpoint", QueryEndpoint));
                break;

            case "azure-native:dashboard:Grafana":
                state = state
                    .SetItem("identity", Map(state["identity"]).SetItem("principalId", GrafanaPrincipalId).SetItem("tenantId", "tenant-id"))
                    .SetItem("properties", Map(state["properties"]).SetItem("endpoint", GrafanaEndpoint));
                break;

            case "azure-native:managedidentity:UserAssignedIdentity":
                var identityName = (string)state["resourceName"];
                state = state
                    .SetItem("name", identityName)
                    .SetItem("clientId", ClientIdOf(identityName))
                    .SetItem("principalId", PrincipalIdOf(identityName))
                    .SetItem("tenantId", "tenant-id");
                break;

            case "azure-native:network:PublicIPAddress":
                state = state
                    .SetItem("name", state["publicIpAddressName"])
                    .SetItem("ipAddress", StaticIp);
                break;

            case "random:index/randomPassword:RandomPassword":
                // What the stack's state keeps from the first run: the same value on every later run.
                state = state.SetItem("result", $"{args.Name}-kept-in-state");
                break;

            case "tls:index/privateKey:PrivateKey" when state.TryGetValue("algorithm", out var algorithm) && algorithm is "RSA":
                // A real RSA key per resource (the user-identity tests sign and verify with it), stable for the harness's run.
                var rsa = RsaKeys.GetOrAdd(args.Name!, _ => System.Security.Cryptography.RSA.Create(2048));
                state = state.SetItem("privateKeyPem", rsa.ExportRSAPrivateKeyPem()).SetItem("publicKeyPem", rsa.ExportSubjectPublicKeyInfoPem());
                break;

            case "tls:index/privateKey:PrivateKey":
                state = state.SetItem("privateKeyPem", KeyPem);
                break;

            case "tls:index/selfSignedCert:SelfSignedCert":
                state = state.SetItem("certPem", CaPem)
                    .SetItem("validityStartTime", CertificateStart)
                    .SetItem("validityEndTime", CertificateEnd);
                break;

            case "tls:index/certRequest:CertRequest":
                state = state.SetItem("certRequestPem", "-----BEGIN CERTIFICATE REQUEST-----\nCSR\n-----END CERTIFICATE REQUEST-----\n");
                break;

            case "tls:index/locallySignedCert:LocallySignedCert":
                state = state.SetItem("certPem", ServerPem);
                break;

            case "kubernetes:core/v1:Service" when !string.IsNullOrEmpty(args.Id):
                state = ImmutableDictionary<string, object>.Empty
                    .Add("apiVersion", "v1")
                    .Add("kind", "Service")
                    .Add("metadata", ImmutableDictionary<string, object>.Empty
                        .Add("name", "aks-istio-ingressgateway-external")
                        .Add("namespace", "aks-istio-ingress"))
                    .Add("status", ImmutableDictionary<string, object>.Empty
                        .Add("loadBalancer", ImmutableDictionary<string, object>.Empty
                            .Add("ingress", ImmutableArray.Create<object>(ImmutableDictionary<string, object>.Empty.Add("ip", GatewayIp)))));
                break;
        }

        return (id, state);
    }

    private static ImmutableDictionary<string, object> Call(MockCallArgs args) => args.Token switch
    {
        "azure-native:containerservice:listManagedClusterUserCredentials" => ImmutableDictionary<string, object>.Empty
            .Add("kubeconfigs", ImmutableArray.Create<object>(ImmutableDictionary<string, object>.Empty
                .Add("name", "clusterUser")
                .Add("value", Convert.ToBase64String(Encoding.UTF8.GetBytes(KubeConfig))))),
        "azure-native:authorization:getClientToken" => ImmutableDictionary<string, object>.Empty.Add("token", ArmToken),
        "azure-native:authorization:getClientConfig" => ImmutableDictionary<string, object>.Empty
            .Add("clientId", "deployer-client-id")
            .Add("objectId", DeployerObjectId)
            .Add("subscriptionId", SubscriptionId)
            .Add("tenantId", "tenant-id"),
        _ => ImmutableDictionary<string, object>.Empty,
    };
}

/// <summary>
/// A stack whose transformation, which Pulumi applies to every resource in the stack before it is registered,
/// records the parent each resource was given (null: none, so the stack) and what it explicitly depends on. Pulumi's
/// mock engine builds URNs from the root type only and shows no dependencies, so neither can be read from it.
/// </summary>
internal sealed class RecordingStack : Stack
{
    public static ConcurrentDictionary<Resource, Resource?> Parents { get; } = new();

    public static ConcurrentDictionary<Resource, InputList<Resource>> DependsOn { get; } = new();

    /// <summary>
    /// The provider each resource was given: a custom resource's <c>Provider</c>, a component's <c>Provider</c> or its
    /// first <c>Providers</c> entry. ConfigGroups and Helm charts are remote components, whose provider the mock engine
    /// receives in a providers map it does not pass on, so only their options show it.
    /// </summary>
    public static ConcurrentDictionary<Resource, ProviderResource?> Providers { get; } = new();

    public RecordingStack()
        : base(new StackOptions { ResourceTransformations = { Record } })
    {
        Lab.Build(StackSettings.Read(), null);
    }

    private static ResourceTransformationResult? Record(ResourceTransformationArgs args)
    {
        Parents[args.Resource] = args.Options.Parent;
        DependsOn[args.Resource] = args.Options.DependsOn;
        Providers[args.Resource] = args.Options switch
        {
            CustomResourceOptions custom => custom.Provider,
            ComponentResourceOptions component => component.Provider ?? component.Providers.FirstOrDefault(),
            _ => null,
        };
        return null;
    }
}
