using System.Collections.Immutable;
using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>HTTPS under the mock engine: the static IP, its role, the Service patch, the certificate, the Gateway and the outputs.</summary>
public class HttpsTests
{
    private static Dictionary<string, string> Config(string https, params (string Key, string Value)[] more)
    {
        var config = new Dictionary<string, string> { ["istio-lab:https"] = https };
        foreach (var (key, value) in more)
        {
            config[key] = value;
        }

        return config;
    }

    private static LabSettings Settings(Dictionary<string, string> config) =>
        LabSettings.Parse(config.ToDictionary(p => p.Key, p => (string?)p.Value));

    private static string Fqdn(Dictionary<string, string> config) => Settings(config).Https.Fqdn;

    private static async Task<(LabHarness Lab, IDictionary<string, object?> Outputs)> RunAsync(Dictionary<string, string> config)
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(config);
        return (lab, outputs);
    }

    /// <summary>The HTTPS feature's own resources of a type: observability registers role assignments and a chart too.</summary>
    private static List<MockResourceArgs> Https(LabHarness lab, string type) => [.. lab.OfType(type).Where(IsHttps)];

    private static bool IsHttps(MockResourceArgs resource) => resource.Name?.StartsWith("istio-lab-https", StringComparison.Ordinal) == true;

    [Fact]
    public async Task TheStaticIpIsAStandardStaticIpWithTheDnsLabelInTheLabsResourceGroup()
    {
        var config = Config("self-signed", ("istio-lab:resourceGroupName", "rg-shop"), ("istio-lab:dnsLabel", "my-shop"));
        var (lab, _) = await RunAsync(config);

        var ip = lab.Single(PublicIpType).Inputs;
        Assert.Equal("rg-shop", ip["resourceGroupName"]);
        Assert.Equal("istio-lab-aks-store-ip", ip["publicIpAddressName"]);
        Assert.Equal("westeurope", ip["location"]);
        Assert.Equal("Standard", Map(ip["sku"])["name"]);
        Assert.Equal("Static", ip["publicIPAllocationMethod"]);
        Assert.Equal("my-shop", Map(ip["dnsSettings"])["domainNameLabel"]);
    }

    [Fact]
    public async Task TheClusterIsCreatedAfterTheStaticIpSoADestroyRemovesItsLoadBalancerFirst()
    {
        var lab = new LabHarness { Slow = r => r.Type == PublicIpType };
        await lab.RunAsync(Config("self-signed"));

        var ip = lab.Single(PublicIpType);
        var cluster = lab.Single(ClusterType);
        Assert.True(lab.WaitedFor(cluster.Name!, ip.Name!), "the cluster must wait for the static IP, so a destroy deletes the cluster (and its load balancer) first");
    }

    [Fact]
    public async Task TheClustersIdentityIsNetworkContributorOnTheResourceGroupUnderADeterministicName()
    {
        var config = Config("self-signed", ("istio-lab:resourceGroupName", "rg-shop"));
        var (lab, _) = await RunAsync(config);

        var role = Assert.Single(Https(lab, RoleAssignmentType)).Inputs;
        // Network Contributor's id as Azure's built-in roles reference lists it (MicrosoftDocs/azure-docs
        // articles/role-based-access-control/built-in-roles.md, Networking), not the product's constant.
        Assert.Equal($"/subscriptions/{SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7", role["roleDefinitionId"]);
        Assert.Equal($"/subscriptions/{SubscriptionId}/resourceGroups/rg-shop", role["scope"]);
        Assert.Equal(ClusterPrincipalId, role["principalId"]);
        Assert.Equal("ServicePrincipal", role["principalType"]);
        Assert.Equal(StaticAddress.RoleAssignmentName(Settings(config), SubscriptionId).ToString(), role["roleAssignmentName"]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Assert.IsType<string>(role["roleAssignmentName"]));
    }

    [Fact]
    public async Task TheGatewayServiceIsPatchedWithTheTwoAnnotationsUnderTheLabsFieldManager()
    {
        var config = Config("self-signed", ("istio-lab:resourceGroupName", "rg-shop"));
        var (lab, _) = await RunAsync(config);

        var patch = lab.Single(ServicePatchType);
        var metadata = Map(patch.Inputs["metadata"]);
        Assert.Equal("aks-istio-ingressgateway-external", metadata["name"]);
        Assert.Equal("aks-istio-ingress", metadata["namespace"]);
        var annotations = Map(metadata["annotations"]);
        Assert.Equal("istio-lab-aks-store-ip", annotations["service.beta.kubernetes.io/azure-pip-name"]);
        Assert.Equal("rg-shop", annotations["service.beta.kubernetes.io/azure-load-balancer-resource-group"]);
        Assert.Equal("istio-lab-https", annotations["pulumi.com/patchFieldManager"]);
        Assert.False(patch.Inputs.ContainsKey("spec"));
        Assert.DoesNotContain(lab.Registered, r => r.Type == "kubernetes:core/v1:Service" && string.IsNullOrEmpty(r.Id));
        Assert.Contains($"{"pulumi:providers:kubernetes"}::", patch.Provider, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePatchWaitsForTheClusterTheRoleTheIpAndTheBoundedWaitForTheService()
    {
        var recorded = await new LabHarness().RunRecordedAsync(Config("self-signed"));

        static void HasA(List<string> dependencies, string type) => Assert.Contains(dependencies, d => d.StartsWith(type + " ", StringComparison.Ordinal));
        var patch = recorded.Single(p => p.Key.GetResourceType() == ServicePatchType).Value;
        HasA(patch, "azure-native:containerservice:ManagedCluster");
        HasA(patch, RoleAssignmentType);
        HasA(patch, PublicIpType);
        Assert.Contains(ConfigGroupType + " istio-lab-mesh-ingress-wait", patch);
        HasA(recorded.Single(p => p.Key.GetResourceType() == "azure-native:containerservice:ManagedCluster").Value, PublicIpType);
    }

    [Fact]
    public async Task TheStaticIpWaitRunsAfterThePatchForTheStaticIpsAddress()
    {
        var lab = new LabHarness { Slow = r => r.Type == ServicePatchType };
        await lab.RunAsync(Config("self-signed"));

        var wait = lab.OfType(ConfigGroupType).Single(r => r.Name == "istio-lab-https-static-ip-wait");
        Assert.Equal(HttpsManifest.StaticAddressWaitYaml(Settings(Config("self-signed")), StaticIp), wait.Inputs["yaml"]);
        Assert.True(lab.WaitedFor(wait.Name!, lab.Single(ServicePatchType).Name!), "the wait must start after the patch that moves the Service to the static IP");
    }

    [Fact]
    public async Task SelfSignedWritesTheServerCertificateAndKeyToATlsSecretInTheGatewaysNamespace()
    {
        var (lab, _) = await RunAsync(Config("self-signed"));

        var secret = lab.OfType(SecretType).Single(r => Map(r.Inputs["metadata"])["namespace"] is "aks-istio-ingress");
        Assert.Equal("kubernetes.io/tls", secret.Inputs["type"]);
        Assert.Equal("pets-store-tls", Map(secret.Inputs["metadata"])["name"]);
        var data = Map(secret.Inputs["stringData"]);
        Assert.Equal(ServerPem, data["tls.crt"]);
        Assert.Equal(KeyPem, data["tls.key"]);
        Assert.Equal(2, lab.OfType("tls:index/privateKey:PrivateKey").Count());
        var ca = lab.Single("tls:index/selfSignedCert:SelfSignedCert").Inputs;
        Assert.Equal(true, ca["isCaCertificate"]);
        var request = lab.Single("tls:index/certRequest:CertRequest").Inputs;
        Assert.Equal(Fqdn(Config("self-signed")), Assert.Single(List(request["dnsNames"])));
        Assert.Equal(CaPem, lab.Single("tls:index/locallySignedCert:LocallySignedCert").Inputs["caCertPem"]);
        Assert.Empty(Https(lab, ChartType));
        Assert.DoesNotContain(lab.Registered, r => r.Type is IssuerType or CertificateType);
    }

    [Fact]
    public async Task TheKeysAreSecretsAndTheCaIsAPlainOutput()
    {
        var (_, outputs) = await RunAsync(Config("self-signed"));

        var ca = Assert.IsType<Output<string>>(outputs["caCertificate"]);
        Assert.False(await Output.IsSecretAsync(ca));
        Assert.Equal(CaPem, await ValueOf(ca));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public async Task TheGatewayServesHttpsWithTheSecretAndRedirectsPort80(string mode)
    {
        var (lab, _) = await RunAsync(Config(mode));

        var servers = List(Map(lab.Single("kubernetes:networking.istio.io/v1:Gateway").Inputs["spec"])["servers"]).Select(Map).ToList();
        Assert.Equal(2, servers.Count);
        Assert.Equal(true, Map(servers[0]["tls"])["httpsRedirect"]);
        Assert.Equal(443, Convert.ToInt32(Map(servers[1]["port"])["number"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("SIMPLE", Map(servers[1]["tls"])["mode"]);
        Assert.Equal("pets-store-tls", Map(servers[1]["tls"])["credentialName"]);
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public async Task TheOutputsNameTheStoresHttpsUrlItsFqdnAndTheStaticIp(string mode)
    {
        var (_, outputs) = await RunAsync(Config(mode));

        var url = await ValueOf(Assert.IsType<Output<string>>(outputs["storeUrl"]));
        Assert.Matches(@"^https://[a-z][a-z0-9-]*\.westeurope\.cloudapp\.azure\.com/$", url);
        Assert.Equal(Fqdn(Config(mode)), await ValueOf(Assert.IsType<Output<string>>(outputs["storeFqdn"])));
        Assert.Equal(StaticIp, await ValueOf(Assert.IsType<Output<string>>(outputs["ingressIp"])));
        Assert.Equal(mode == "self-signed", outputs.ContainsKey("caCertificate"));
    }

    [Fact]
    public async Task LetsEncryptInstallsThePinnedCertManagerChartWithTheBlueprintsValues()
    {
        var (lab, _) = await RunAsync(Config("lets-encrypt"));

        var chart = Assert.Single(Https(lab, ChartType)).Inputs;
        Assert.Equal("cert-manager", chart["chart"]);
        Assert.Equal(CertManagerManifest.Chart.Version, chart["version"]);
        Assert.Equal("cert-manager", chart["namespace"]);
        Assert.Equal("https://charts.jetstack.io", Map(chart["repositoryOpts"])["repo"]);
        var crds = Map(Map(chart["values"])["crds"]);
        Assert.Equal(true, crds["enabled"]);
        Assert.Single(lab.OfType("kubernetes:core/v1:Namespace"), r => Map(r.Inputs["metadata"])["name"] is "cert-manager");
    }

    [Fact]
    public async Task LetsEncryptCreatesTheIssuerAndCertificateAsCustomResourcesAfterTheChart()
    {
        var config = Config("lets-encrypt", ("istio-lab:acmeServer", "production"));
        var lab = new LabHarness { Slow = r => (r.Type == ChartType && IsHttps(r)) || r.Type == IssuerType };
        await lab.RunAsync(config);

        var chart = Assert.Single(Https(lab, ChartType));
        var issuer = lab.Single(IssuerType);
        var certificate = lab.Single(CertificateType);
        Assert.True(lab.WaitedFor(issuer.Name!, chart.Name!), "the ClusterIssuer's CRD comes with the chart");
        Assert.True(lab.WaitedFor(certificate.Name!, issuer.Name!), "the Certificate names the ClusterIssuer");
        Assert.Equal("https://acme-v02.api.letsencrypt.org/directory", Map(Map(issuer.Inputs["spec"])["acme"])["server"]);
        var metadata = Map(certificate.Inputs["metadata"]);
        Assert.Equal("aks-istio-ingress", metadata["namespace"]);
        Assert.Equal("condition=Ready", Map(metadata["annotations"])["pulumi.com/waitFor"]);
        var spec = Map(certificate.Inputs["spec"]);
        Assert.Equal("pets-store-tls", spec["secretName"]);
        Assert.Equal(Fqdn(config), Assert.Single(List(spec["dnsNames"])));
        Assert.Equal("istio.io/ingress-controller", Map(lab.Single(IngressClassType).Inputs["spec"])["controller"]);
        Assert.DoesNotContain(lab.Registered, r => r.Type!.StartsWith("tls:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCertificateWaitsForTheStaticIpAndTheMeshConfigThatServesTheSolver()
    {
        var recorded = await new LabHarness().RunRecordedAsync(Config("lets-encrypt"));

        var certificate = recorded.Single(p => p.Key.GetResourceType() == CertificateType).Value;
        Assert.Contains(ConfigGroupType + " istio-lab-https-static-ip-wait", certificate);
        Assert.Contains(MeshConfiguration.Type + " istio-lab-meshconfig", certificate);
        Assert.Contains(ChartType + " istio-lab-https-cert-manager", certificate);
    }

    [Fact]
    public async Task LetsEncryptPutsTheIngressFieldsInEverySharedMeshConfig()
    {
        var (lab, _) = await RunAsync(Config("lets-encrypt", ("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30")));

        var maps = lab.OfType("kubernetes:core/v1:ConfigMap").ToList();
        Assert.Equal(2, maps.Count);
        Assert.All(maps, m => Assert.Contains("ingressService: aks-istio-ingressgateway-external", Assert.IsType<string>(Map(m.Inputs["data"])["mesh"]), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public async Task TheChecksUseTheFqdnOverHttpsAndRunAfterTheCertificate(string mode)
    {
        var config = Config(mode);
        static bool IsCertificate(MockResourceArgs r) => r.Type is SecretType or CertificateType
            && r.Inputs.TryGetValue("metadata", out var m) && Map(m).TryGetValue("namespace", out var ns) && ns is "aks-istio-ingress";
        var lab = new LabHarness { Slow = IsCertificate };
        var outputs = await lab.RunAsync(config);

        var checks = lab.OfType(ConfigGroupType).Single(r => r.Name == "istio-lab-checks-jobs");
        var yaml = Assert.IsType<string>(checks.Inputs["yaml"]);
        Assert.Equal(LabManifest.ChecksYaml(Settings(config), ClusterRevision, StaticIp, mode == "self-signed" ? CaPem : null), yaml);
        Assert.Contains($"https://{Fqdn(config)}/", yaml, StringComparison.Ordinal);
        var certificate = Assert.Single(lab.Registered, r => IsCertificate(r));
        Assert.Equal(mode == "self-signed" ? SecretType : CertificateType, certificate.Type);
        Assert.True(lab.WaitedFor(checks.Name!, certificate.Name!), "the gateway check must wait for the certificate");
        var summary = await ValueOf(Assert.IsType<Output<ImmutableDictionary<string, string>>>(outputs["checks"]));
        Assert.Equal(["gateway", "inside", "kiali", "metrics", "outside", "redirect"], summary.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WithHttpsOffNoneOfItIsRegisteredAndTheStoreStaysOnHttp()
    {
        var (lab, outputs) = await RunAsync(Config("off"));

        Assert.DoesNotContain(lab.Registered, r => r.Type is PublicIpType or ServicePatchType or IssuerType or CertificateType or IngressClassType
            || r.Type!.StartsWith("tls:", StringComparison.Ordinal) || r.Type == HttpsFrontDoor.Type || r.Type == HttpsAddress.Type
            || (r.Type is RoleAssignmentType or ChartType && IsHttps(r)));
        Assert.Equal($"http://{GatewayIp}/", await ValueOf(Assert.IsType<Output<string>>(outputs["storeUrl"])));
        Assert.False(outputs.ContainsKey("storeFqdn"));
        Assert.False(outputs.ContainsKey("caCertificate"));
        var gateway = Map(lab.Single("kubernetes:networking.istio.io/v1:Gateway").Inputs["spec"]);
        Assert.False(Map(Assert.Single(List(gateway["servers"]))).ContainsKey("tls"));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public async Task TwoHttpsRunsWithTheSameConfigRegisterIdenticalInputs(string mode)
    {
        var first = await RunAsync(Config(mode));
        var second = await RunAsync(Config(mode));

        Assert.Equal(first.Lab.Snapshot(), second.Lab.Snapshot());
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public async Task EveryHttpsResourceIsTheChildOfAComponent(string mode)
    {
        var lab = new LabHarness();
        await lab.RunRecordedAsync(Config(mode));

        var parents = RecordingStack.Parents.Where(p => p.Key is not Stack).ToDictionary(p => p.Key, p => p.Value);
        var components = parents.Keys.Where(r => r.GetResourceType().StartsWith("istiolab:index:", StringComparison.Ordinal)).ToList();
        Assert.Contains(HttpsFrontDoor.Type, components.Select(c => c.GetResourceType()));
        Assert.Contains(HttpsAddress.Type, components.Select(c => c.GetResourceType()));
        Assert.All(components, c => Assert.Null(parents[c]));
        Assert.All(parents.Where(p => !components.Contains(p.Key)), p => Assert.True(
            p.Value is not null && components.Contains(p.Value),
            $"{p.Key.GetResourceType()} {p.Key.GetResourceName()} has parent {p.Value?.GetResourceType() ?? "(the stack)"}"));
    }
}
