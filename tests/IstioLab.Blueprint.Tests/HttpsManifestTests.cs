using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public class HttpsManifestTests
{
    private const string Ip = "20.50.60.70";

    internal static LabSettings Settings(string https, params (string Key, string Value)[] more)
    {
        var config = new Dictionary<string, string?> { ["istio-lab:https"] = https };
        foreach (var (key, value) in more)
        {
            config[key] = value;
        }

        return LabSettings.Parse(config);
    }

    private static LabSettings SelfSigned => Settings("self-signed");
    private static LabSettings LetsEncrypt => Settings("lets-encrypt");

    [Fact]
    public void WithHttpsOffTheGatewayHasOnlyThePlainHttpServer()
    {
        var server = Assert.Single(MeshManifest.StoreGateway(LabSettings.Defaults).Spec.Servers);

        Assert.Equal(80, server.Port.Number);
        Assert.Null(server.Tls);
        Assert.Empty(HttpsManifest.Build(LabSettings.Defaults, Ip));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public void WithHttpsOnPort80RedirectsAndPort443TerminatesTlsWithTheSecretInTheGatewaysNamespace(string mode)
    {
        var settings = Settings(mode);
        var servers = MeshManifest.StoreGateway(settings).Spec.Servers;

        Assert.Equal([80, 443], servers.Select(s => s.Port.Number));
        Assert.Equal(true, servers[0].Tls!.HttpsRedirect);
        Assert.Equal("HTTP", servers[0].Port.Protocol);
        Assert.Equal(["*"], servers[0].Hosts);
        Assert.Equal("HTTPS", servers[1].Port.Protocol);
        Assert.Equal("https", servers[1].Port.Name);
        Assert.Equal("SIMPLE", servers[1].Tls!.Mode);
        Assert.Equal("pets-store-tls", servers[1].Tls!.CredentialName);
        Assert.Equal(["*"], servers[1].Hosts);
    }

    [Fact]
    public void TheVirtualServiceStaysOnEveryHostSoTheAcmeSolversExactHostGetsItsOwnVirtualHost()
    {
        var route = MeshManifest.StoreRoute(LetsEncrypt);

        Assert.Equal(["*"], route.Spec.Hosts);
        Assert.Equal(["*"], MeshManifest.StoreGateway(LetsEncrypt).Spec.Servers[0].Hosts);
        Assert.NotEqual("*", CertManagerManifest.StoreCertificate(LetsEncrypt).Spec.DnsNames.Single());
    }

    [Fact]
    public void TheServicePatchNamesTheAddOnsGatewayAndCarriesOnlyTheTwoAllowedAnnotations()
    {
        var patch = StaticAddress.GatewayServicePatch(Settings("self-signed", ("istio-lab:resourceGroupName", "rg-shop"), ("istio-lab:clusterName", "shop-aks")));

        Assert.Equal("aks-istio-ingress", patch.Metadata.NamespaceProperty);
        Assert.Equal("aks-istio-ingressgateway-external", patch.Metadata.Name);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["service.beta.kubernetes.io/azure-pip-name"] = "shop-aks-store-ip",
                ["service.beta.kubernetes.io/azure-load-balancer-resource-group"] = "rg-shop",
            },
            patch.Metadata.Annotations);
        Assert.Null(patch.Spec);
        Assert.Null(patch.Metadata.Labels);
        Assert.DoesNotContain(patch.Metadata.Annotations.Keys, k => k.Contains("dns-label", StringComparison.Ordinal));
    }

    [Fact]
    public void TheRoleIsNetworkContributorAtTheResourceGroupWithAFullRoleDefinitionId()
    {
        Assert.Equal("/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7", StaticAddress.RoleDefinitionId("sub-1"));
        Assert.Equal("/subscriptions/sub-1/resourceGroups/rg-shop", StaticAddress.ResourceGroupScope("sub-1", "rg-shop"));
        Assert.Equal("ServicePrincipal", StaticAddress.PrincipalType);
    }

    [Fact]
    public void TheRoleAssignmentNameIsAVersion5GuidOfTheStacksNamesAndSubscription()
    {
        const string Subscription = "00000000-1111-2222-3333-444444444444";
        var first = StaticAddress.RoleAssignmentName(SelfSigned, Subscription);

        Assert.Equal(first, StaticAddress.RoleAssignmentName(SelfSigned, Subscription));
        Assert.Equal(5, first.Version);
        Assert.NotEqual(first, StaticAddress.RoleAssignmentName(Settings("self-signed", ("istio-lab:clusterName", "other")), Subscription));
        Assert.NotEqual(first, StaticAddress.RoleAssignmentName(Settings("self-signed", ("istio-lab:resourceGroupName", "other")), Subscription));
        Assert.NotEqual(first, StaticAddress.RoleAssignmentName(SelfSigned, "aaaaaaaa-1111-2222-3333-444444444444"));
    }

    [Fact]
    public void Version5GuidsMatchTheRfcsKnownValue()
    {
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), DeterministicGuid.V5(DeterministicGuid.DnsNamespace, "python.org"));
    }

    [Fact]
    public void ThePublicIpIsNamedAfterTheClusterWithinAzuresLimit()
    {
        var name = StaticAddress.PublicIpName(Settings("self-signed", ("istio-lab:clusterName", new string('a', 63))));

        Assert.True(name.Length <= 80);
        Assert.Equal("istio-lab-aks-store-ip", StaticAddress.PublicIpName(SelfSigned));
        Assert.Equal(("Standard", "Static"), (StaticAddress.SkuName, StaticAddress.AllocationMethod));
    }

    [Fact]
    public void TheSelfSignedServerCertificateIsForTheFqdnAndSignedByALabCa()
    {
        var ca = SelfSignedTls.Authority(SelfSigned);
        var server = SelfSignedTls.Server(SelfSigned);

        Assert.True(ca.IsCaCertificate);
        Assert.Contains("cert_signing", ca.AllowedUses);
        Assert.False(server.IsCaCertificate);
        Assert.Equal([SelfSigned.Https.Fqdn], server.DnsNames);
        Assert.Equal(SelfSigned.Https.Fqdn, server.CommonName);
        Assert.Contains("server_auth", server.AllowedUses);
        Assert.True(server.ValidityPeriodHours < ca.ValidityPeriodHours);
        Assert.True(server.EarlyRenewalHours < server.ValidityPeriodHours);
    }

    [Fact]
    public void TheSelfSignedSecretIsATlsSecretInTheGatewaysNamespaceNamedAsTheGatewaysCredential()
    {
        var secret = SelfSignedTls.TlsSecret(SelfSigned, "CERT", "KEY");

        Assert.Equal("kubernetes.io/tls", secret.Type);
        Assert.Equal("aks-istio-ingress", secret.Metadata.NamespaceProperty);
        Assert.Equal(MeshManifest.StoreGateway(SelfSigned).Spec.Servers[1].Tls!.CredentialName, secret.Metadata.Name);
        Assert.Equal(new Dictionary<string, string> { ["tls.crt"] = "CERT", ["tls.key"] = "KEY" }, secret.StringData);
    }

    [Fact]
    public void SelfSignedAddsThePatchTheStaticIpWaitAndTheSecretButNoCertManager()
    {
        var objects = HttpsManifest.Build(SelfSigned, Ip);

        Assert.Equal(["Service", "Job", "Secret"], objects.Select(o => o.Kind));
        Assert.DoesNotContain(SharedMeshConfig.For(SelfSigned, "asm-1-29").Data["mesh"], "ingress", StringComparison.Ordinal);
    }

    [Fact]
    public void LetsEncryptAddsTheIngressClassTheIssuerAndTheCertificate()
    {
        var objects = HttpsManifest.Build(LetsEncrypt, Ip);

        Assert.Equal(["Service", "Job", "Namespace", "IngressClass", "ClusterIssuer", "Certificate"], objects.Select(o => o.Kind));
        var ingressClass = Assert.IsType<V1IngressClass>(objects[3]);
        Assert.Equal("istio", ingressClass.Metadata.Name);
        Assert.Equal("istio.io/ingress-controller", ingressClass.Spec.Controller);
    }

    [Theory]
    [InlineData("staging", "https://acme-staging-v02.api.letsencrypt.org/directory", "letsencrypt-staging")]
    [InlineData("production", "https://acme-v02.api.letsencrypt.org/directory", "letsencrypt-production")]
    public void TheClusterIssuerUsesTheChosenDirectoryAndHttp01ThroughIstiosIngressClass(string server, string directory, string name)
    {
        var issuer = CertManagerManifest.Issuer(Settings("lets-encrypt", ("istio-lab:acmeServer", server)));

        Assert.Equal("cert-manager.io/v1", issuer.ApiVersion);
        Assert.Equal(name, issuer.Metadata.Name);
        Assert.Null(issuer.Metadata.NamespaceProperty);
        Assert.Equal(directory, issuer.Spec.Acme.Server);
        Assert.Equal($"{name}-account-key", issuer.Spec.Acme.PrivateKeySecretRef.Name);
        Assert.Equal("istio", Assert.Single(issuer.Spec.Acme.Solvers).Http01.Ingress.IngressClassName);
        Assert.Null(issuer.Spec.Acme.Email);
    }

    [Fact]
    public void TheIssuerCarriesTheConfiguredAcmeEmail()
    {
        Assert.Equal("ops@example.com", CertManagerManifest.Issuer(Settings("lets-encrypt", ("istio-lab:acmeEmail", "ops@example.com"))).Spec.Acme.Email);
    }

    [Fact]
    public void TheCertificateIsForTheFqdnInTheGatewaysNamespaceWritingTheGatewaysCredentialAndIsWaitedFor()
    {
        var certificate = CertManagerManifest.StoreCertificate(LetsEncrypt);

        Assert.Equal("aks-istio-ingress", certificate.Metadata.NamespaceProperty);
        Assert.Equal(MeshManifest.StoreGateway(LetsEncrypt).Spec.Servers[1].Tls!.CredentialName, certificate.Spec.SecretName);
        Assert.Equal([LetsEncrypt.Https.Fqdn], certificate.Spec.DnsNames);
        Assert.Equal(("letsencrypt-staging", "ClusterIssuer", "cert-manager.io"), (certificate.Spec.IssuerRef.Name, certificate.Spec.IssuerRef.Kind, certificate.Spec.IssuerRef.Group));
        Assert.Equal("condition=Ready", certificate.Metadata.Annotations["pulumi.com/waitFor"]);
        Assert.Equal("600", certificate.Metadata.Annotations["pulumi.com/timeoutSeconds"]);
    }

    [Fact]
    public void LetsEncryptPutsTheIngressFieldsInEveryRevisionsSharedMeshConfig()
    {
        var settings = Settings("lets-encrypt", ("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"));

        var maps = SharedMeshConfig.ForConfiguredRevisions(settings);

        Assert.Equal(2, maps.Count);
        Assert.All(maps, map =>
        {
            var mesh = KubernetesYaml.Deserialize<MeshConfigData>(map.Data["mesh"]);
            Assert.Equal("aks-istio-ingressgateway-external", mesh.IngressService);
            Assert.Equal("aks-istio-ingressgateway-external", mesh.IngressSelector);
            Assert.Equal("/dev/stdout", mesh.AccessLogFile);
        });
    }

    [Fact]
    public void TheCertManagerChartIsPinnedAndInstallsItsCrds()
    {
        Assert.Matches(@"^v1\.\d+\.\d+$", CertManagerManifest.Chart.Version);
        Assert.Equal("https://charts.jetstack.io", CertManagerManifest.Chart.Repository);
        Assert.Equal("cert-manager", CertManagerManifest.Chart.Namespace);
        Assert.Equal(
            new Dictionary<string, object> { ["crds"] = new Dictionary<string, object> { ["enabled"] = true, ["keep"] = true } },
            PlainTree.Of(CertManagerManifest.Values));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public void EveryHttpsObjectHasValidNamesAndLabels(string mode)
    {
        // The Service patch is a partial object (metadata only): the add-on owns its spec.
        var objects = LabManifest.Build(Settings(mode), "asm-1-30", "pw", Ip).Where(o => o is not V1Service { Spec: null }).ToList();

        Assert.All(objects, o => Assert.Empty(KubernetesRules.Violations(o)));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public void TheHttpsRenderLoadsBackStrictlyAndIsByteIdentical(string mode)
    {
        var yaml = LabManifest.ToYaml(LabManifest.Build(Settings(mode), "asm-1-30", "pw", Ip));

        Assert.Equal(yaml, LabManifest.ToYaml(LabManifest.Build(Settings(mode), "asm-1-30", "pw", Ip)));
        Assert.Equal(yaml, LabManifest.ToYaml(LabManifest.Load(yaml)));
    }

    [Fact]
    public void TheStaticIpWaitReusesTheIngressWaitsServiceAccountAndWaitsForTheGivenIp()
    {
        var job = IngressAddressWait.StaticAddressJob(SelfSigned, Ip);
        var first = IngressAddressWait.Job(SelfSigned);

        Assert.Equal("wait-for-static-ingress-ip", job.Metadata.Name);
        Assert.Equal(first.Spec.Template.Spec.ServiceAccountName, job.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal(first.Metadata.NamespaceProperty, job.Metadata.NamespaceProperty);
        Assert.Equal(first.Spec.ActiveDeadlineSeconds, job.Spec.ActiveDeadlineSeconds);
        Assert.Equal(Ip, job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "EXPECT_IP").Value);
    }
}
