using System.Text.RegularExpressions;
using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Platform;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The platform's contracts as data, and the lab's output held inside them: the add-on's MeshConfig fields, the
/// gateway Service's annotations, the values the charts would generate, and the Azure revision rules.
/// </summary>
public class PlatformContractsTests
{
    private static LabSettings Parse(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    /// <summary>Every HTTPS mode, with no revision, one revision, and a canary upgrade.</summary>
    public static TheoryData<string, string?, string?> Stacks()
    {
        var data = new TheoryData<string, string?, string?>();
        foreach (var https in LabSettings.HttpsModeNames.Keys)
        {
            data.Add(https, null, null);
            data.Add(https, "asm-1-30", null);
            data.Add(https, "asm-1-30", "asm-1-31");
        }

        return data;
    }

    private static LabSettings Stack(string https, string? revision, string? canary)
    {
        var entries = new List<(string, string)> { ("istio-lab:https", https) };
        if (revision is not null)
        {
            entries.Add(("istio-lab:istioRevision", revision));
        }

        if (canary is not null)
        {
            entries.Add(("istio-lab:istioCanaryRevision", canary));
        }

        return Parse([.. entries]);
    }

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Rendered(LabSettings settings) =>
        LabManifest.Build(settings, LabManifest.RevisionPlaceholder, LabManifest.PasswordPlaceholder, "20.1.2.3");

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryRenderedSharedMeshConfigUsesOnlyFieldsTheAddOnAdmits(string https, string? revision, string? canary)
    {
        var maps = Rendered(Stack(https, revision, canary)).OfType<V1ConfigMap>()
            .Where(m => m.Metadata.Name.StartsWith(SharedMeshConfig.NamePrefix, StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(maps);
        Assert.All(maps, m => Assert.Empty(AddOnMeshConfig.BlockedFields(m.Data[SharedMeshConfig.MeshKey])));
    }

    [Fact]
    public void AFieldOutsideTheAddOnsTableIsCaughtAtTheTopAndInsideDefaultConfig()
    {
        var yaml = KubernetesYaml.Serialize(SharedMeshConfig.Mesh(Parse(("istio-lab:https", "lets-encrypt"))))
            + "\ningressControllerMode: STRICT\n";
        yaml = yaml.Replace("holdApplicationUntilProxyStarts: true", "holdApplicationUntilProxyStarts: true\n  proxyStatsTags: x", StringComparison.Ordinal);

        Assert.Equal(["defaultConfig.proxyStatsTags", "ingressControllerMode"], AddOnMeshConfig.BlockedFields(yaml));
    }

    [Fact]
    public void EveryFieldTheMeshConfigModelCanSetIsInTheAddOnsTable()
    {
        static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

        Assert.All(typeof(MeshConfigData).GetProperties(), p => Assert.Contains(Camel(p.Name), AddOnMeshConfig.MeshFields.Keys));
        Assert.All(typeof(ProxyConfigDefaults).GetProperties(), p => Assert.Contains(Camel(p.Name), AddOnMeshConfig.ProxyConfigFields.Keys));
    }

    [Fact]
    public void TheMeshConfigTableSaysWhatTheAksDocsSay()
    {
        // Literal rows of articles/aks/istio-meshconfig.md.
        Assert.Equal(FieldSupport.Allowed, AddOnMeshConfig.MeshFields["ingressService"]);
        Assert.Equal(FieldSupport.Allowed, AddOnMeshConfig.MeshFields["ingressSelector"]);
        Assert.Equal(FieldSupport.Supported, AddOnMeshConfig.MeshFields["accessLogFile"]);
        Assert.Equal(FieldSupport.Supported, AddOnMeshConfig.MeshFields["accessLogEncoding"]);
        Assert.Equal(FieldSupport.Supported, AddOnMeshConfig.ProxyConfigFields["holdApplicationUntilProxyStarts"]);
        Assert.DoesNotContain("ingressControllerMode", AddOnMeshConfig.MeshFields.Keys);
        Assert.DoesNotContain("ingressClass", AddOnMeshConfig.MeshFields.Keys);
        Assert.DoesNotContain("configSources", AddOnMeshConfig.MeshFields.Keys);
        Assert.Equal(33, AddOnMeshConfig.MeshFields.Count);
        Assert.Equal(19, AddOnMeshConfig.ProxyConfigFields.Count);
    }

    [Fact]
    public void WithLetsEncryptTheMeshConfigSetsWhatMicrosoftsCertManagerSampleSets()
    {
        var mesh = SharedMeshConfig.Mesh(Parse(("istio-lab:https", "lets-encrypt")));

        // examples/istio-based-service-mesh/security/cert-manager-letsencrypt/configmap.yaml in Azure/AKS.
        Assert.Equal("aks-istio-ingressgateway-external", mesh.IngressService);
        Assert.Equal("aks-istio-ingressgateway-external", mesh.IngressSelector);
        Assert.Equal("/dev/stdout", mesh.AccessLogFile);

        // With ingressControllerMode left to Istio (STRICT), istiod serves only Ingresses of an IngressClass whose
        // controller is Istio's: the solver must name that class.
        var solver = Assert.Single(CertManagerManifest.Issuer(Parse(("istio-lab:https", "lets-encrypt"))).Spec.Acme.Solvers);
        Assert.Equal("istio", solver.Http01.Ingress.IngressClassName);
        Assert.Equal("istio.io/ingress-controller", CertManagerManifest.IstioIngressClass().Spec.Controller);
        Assert.Equal("istio", CertManagerManifest.IstioIngressClass().Metadata.Name);
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public void TheGatewayServicePatchCarriesOnlyAnnotationsTheAddOnKeeps(string https)
    {
        var patches = Rendered(Parse(("istio-lab:https", https))).OfType<V1Service>()
            .Where(s => s.Metadata.Name == MeshManifest.IngressServiceName && s.Metadata.NamespaceProperty == MeshManifest.IngressNamespace)
            .ToList();

        var patch = Assert.Single(patches);
        Assert.Empty(GatewayServiceCustomizations.Violations(patch));
        Assert.Contains("service.beta.kubernetes.io/azure-pip-name", patch.Metadata.Annotations.Keys);
    }

    [Fact]
    public void AnAnnotationTheAddOnReconcilesAwayIsCaught()
    {
        var patch = StaticAddress.GatewayServicePatch(Parse(("istio-lab:https", "self-signed")));
        patch.Metadata.Annotations["service.beta.kubernetes.io/azure-dns-label-name"] = "store";
        patch.Spec = new V1ServiceSpec { Type = "NodePort" };

        Assert.Equal(["annotation service.beta.kubernetes.io/azure-dns-label-name", "spec fields other than spec.externalTrafficPolicy"],
            GatewayServiceCustomizations.Violations(patch));
        Assert.Empty(GatewayServiceCustomizations.Violations(new V1Service
        {
            Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { ["service.beta.kubernetes.io/port_443_health-probe_request-path"] = "/healthz/ready" } },
            Spec = new V1ServiceSpec { ExternalTrafficPolicy = "Local" },
        }));
    }

    /// <summary>The values the lab gives each chart it installs, as the plain tree Helm takes.</summary>
    private static IReadOnlyDictionary<string, object> ValuesOf(ChartAudit audit) => audit.Chart switch
    {
        "kiali-server" => Kiali.ValuesTree("https://grafana.example"),
        "cert-manager" => PlainTree.Of(CertManagerManifest.Values),
        _ => throw new InvalidOperationException($"the lab installs no chart {audit.Chart}"),
    };

    private static object? At(IReadOnlyDictionary<string, object> tree, string path)
    {
        object? node = tree;
        foreach (var part in path.Split('.'))
        {
            node = node is IReadOnlyDictionary<string, object> map && map.TryGetValue(part, out var next) ? next : null;
        }

        return node;
    }

    [Fact]
    public void EveryValueAChartWouldGenerateIsPinnedByTheLabsValues()
    {
        Assert.All(ChartGeneratedValues.All.SelectMany(a => a.Values.Select(v => (Audit: a, Value: v))), entry =>
        {
            var value = At(ValuesOf(entry.Audit), entry.Value.ValuePath);
            Assert.True(value is not null and not "", $"{entry.Audit.Chart} {entry.Value.ValuePath} is left to the chart, which computes it at every render ({entry.Value.Generator})");
        });

        var kiali = Kiali.ValuesTree(null);
        Assert.Matches("^secret:.+:.+$", (string)At(kiali, "login_token.signing_key")!);
        Assert.Equal(false, At(kiali, "clustering.autodetect_secrets.enabled"));
        Assert.Equal(true, At(kiali, "deployment.cluster_wide_access"));
    }

    [Fact]
    public void EachChartAuditIsOfTheVersionTheLabInstalls()
    {
        Assert.Equal((Kiali.Chart, Kiali.ChartVersion), (ChartGeneratedValues.Kiali.Chart, ChartGeneratedValues.Kiali.Version));
        Assert.Equal((CertManagerManifest.Chart.Chart, CertManagerManifest.Chart.Version), (ChartGeneratedValues.CertManager.Chart, ChartGeneratedValues.CertManager.Version));
        Assert.Equal(["login_token.signing_key", "clustering.autodetect_secrets.enabled", "deployment.cluster_wide_access"],
            ChartGeneratedValues.Kiali.Values.Select(v => v.ValuePath));
    }

    /// <summary>Kiali signs logins with AES, whose keys are 16, 24 or 32 bytes.</summary>
    private static readonly int[] AesKeyLengths = [16, 24, 32];

    [Fact]
    public void TheSigningKeySecretIsWhatTheChartsReferenceNames()
    {
        var reference = (string)At(Kiali.ValuesTree(null), "login_token.signing_key")!;
        var parts = reference.Split(':');
        var secret = Kiali.SigningKeySecret("k");

        Assert.Equal(["secret", secret.Metadata.Name, secret.StringData.Keys.Single()], parts);
        Assert.Equal(MonitoringManifest.Namespace, secret.Metadata.NamespaceProperty);
        Assert.DoesNotContain(reference, Kiali.ValuesJson(null).Replace(reference, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(Kiali.SigningKeyLength, AesKeyLengths);
    }

    [Fact]
    public void KialiSendsMicrosoftsHeadersAndTimeoutToTheWorkspace()
    {
        var prometheus = (IReadOnlyDictionary<string, object>)At(Kiali.ValuesTree(null), "external_services.prometheus")!;

        // examples/istio-based-service-mesh/observability/kiali/kiali-cr.yaml in Azure/AKS.
        Assert.Equal("application/json", ((IReadOnlyDictionary<string, object>)prometheus["custom_headers"])["Accept"]);
        Assert.Equal(30, Convert.ToInt32(prometheus["query_timeout"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Kiali.Values(null).ExternalServices.Prometheus.CustomHeaders, Kiali.LoadValues(Kiali.ValuesJson(null)).ExternalServices.Prometheus.CustomHeaders);
    }

    [Fact]
    public void TheRecordingRulesAreMicrosoftsCurrentLinuxSet()
    {
        // Azure/prometheus-collector AddonBicepTemplate/FullAzureMonitorMetricsProfile.bicep, rule for rule.
        Assert.Equal(
        [
            "instance:node_num_cpu:sum", "instance:node_cpu_utilisation:rate5m", "instance:node_load1_per_cpu:ratio",
            "instance:node_memory_utilisation:ratio", "instance:node_vmstat_pgmajfault:rate5m",
            "instance_device:node_disk_io_time_seconds:rate5m", "instance_device:node_disk_io_time_weighted_seconds:rate5m",
            "instance:node_network_receive_bytes_excluding_lo:rate5m", "instance:node_network_transmit_bytes_excluding_lo:rate5m",
            "instance:node_network_receive_drop_excluding_lo:rate5m", "instance:node_network_transmit_drop_excluding_lo:rate5m",
        ], RecordingRules.Node.Select(r => r.Record));
        Assert.Equal(
        [
            "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate",
            "node_namespace_pod_container:container_memory_working_set_bytes", "node_namespace_pod_container:container_memory_rss",
            "node_namespace_pod_container:container_memory_cache", "node_namespace_pod_container:container_memory_swap",
            "cluster:namespace:pod_memory:active:kube_pod_container_resource_requests", "namespace_memory:kube_pod_container_resource_requests:sum",
            "cluster:namespace:pod_cpu:active:kube_pod_container_resource_requests", "namespace_cpu:kube_pod_container_resource_requests:sum",
            "cluster:namespace:pod_memory:active:kube_pod_container_resource_limits", "namespace_memory:kube_pod_container_resource_limits:sum",
            "cluster:namespace:pod_cpu:active:kube_pod_container_resource_limits", "namespace_cpu:kube_pod_container_resource_limits:sum",
            "namespace_workload_pod:kube_pod_owner:relabel", "namespace_workload_pod:kube_pod_owner:relabel",
            "namespace_workload_pod:kube_pod_owner:relabel", "namespace_workload_pod:kube_pod_owner:relabel",
            ":node_memory_MemAvailable_bytes:sum", "cluster:node_cpu:ratio_rate5m",
        ], RecordingRules.Kubernetes.Select(r => r.Record));
        Assert.Equal(["deployment", "daemonset", "statefulset", "job"],
            RecordingRules.Kubernetes.Where(r => r.Labels is not null).Select(r => r.Labels!["workload_type"]));
        Assert.Equal(
        [
            "ux:pod_cpu_usage:sum_irate", "ux:controller_cpu_usage:sum_irate", "ux:pod_workingset_memory:sum",
            "ux:controller_workingset_memory:sum", "ux:pod_rss_memory:sum", "ux:controller_rss_memory:sum",
            "ux:pod_container_count:sum", "ux:controller_container_count:sum", "ux:pod_container_restarts:max",
            "ux:controller_container_restarts:max", "ux:pod_resource_limit:sum", "ux:controller_resource_limit:sum",
            "ux:controller_pod_phase_count:sum", "ux:cluster_pod_phase_count:sum", "ux:node_cpu_usage:sum_irate",
            "ux:node_memory_usage:sum", "ux:node_network_receive_drop_total:sum_irate", "ux:node_network_transmit_drop_total:sum_irate",
        ], RecordingRules.Ux.Select(r => r.Record));
        Assert.Equal("UXRecordingRulesRuleGroup - istio-lab-aks", AzureNames.UxRuleGroup(LabSettings.Defaults));
    }

    [Fact]
    public void TheMeshRevisionProfileReadsArmsPublishedExample()
    {
        // specification/.../aks/stable/2025-10-01/examples/ManagedClustersGet_MeshRevisionProfile.json
        const string Example = """
            {"id":"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.ContainerService/locations/location1/meshRevisionProfiles/istio",
             "type":"Microsoft.ContainerService/locations/meshRevisionProfiles","name":"istio",
             "properties":{"meshRevisions":[
               {"revision":"asm-1-17","upgrades":["asm-1-18"],"compatibleWith":[{"name":"kubernetes","versions":["1.23","1.24","1.25","1.26"]}]},
               {"revision":"asm-1-18","upgrades":[],"compatibleWith":[{"name":"kubernetes","versions":["1.24","1.25","1.26","1.27"]}]}]}}
            """;

        var profile = MeshRevisionProfile.Parse(Example);

        Assert.Equal(["asm-1-17", "asm-1-18"], profile.Offered);
        Assert.Equal(["asm-1-18"], profile.Find("asm-1-17")!.Upgrades);
        Assert.Empty(profile.Find("asm-1-18")!.Upgrades);
        Assert.Equal(["1.24", "1.25", "1.26", "1.27"], profile.Find("asm-1-18")!.KubernetesVersions);
        Assert.Throws<FormatException>(() => MeshRevisionProfile.Parse("""{"error":{"code":"AuthorizationFailed"}}"""));
        Assert.Throws<FormatException>(() => MeshRevisionProfile.Parse("<html>"));
    }

    [Fact]
    public void TheProfileIsAskedForAtArmsDocumentedPath()
    {
        Assert.Equal(
            "https://management.azure.com/subscriptions/sub-id/providers/Microsoft.ContainerService/locations/westeurope/meshRevisionProfiles/istio?api-version=2025-10-01",
            MeshRevisionProfileApi.Url(MeshRevisionProfileApi.ArmEndpoints["public"], "sub-id", "westeurope").AbsoluteUri);
        Assert.Equal("https://management.chinacloudapi.cn/", MeshRevisionProfileApi.ArmEndpoints["china"]);
    }

    private static MeshRevisionProfile Offering(params (string Revision, string[] Upgrades)[] revisions) =>
        new([.. revisions.Select(r => new OfferedRevision(r.Revision, r.Upgrades, []))]);

    [Theory]
    [InlineData("asm-1-30", null, "")]
    [InlineData("asm-1-30", "asm-1-31", "")]
    [InlineData("asm-1-29", "asm-1-30", "")]
    [InlineData("asm-1-29", null, "istio-lab:istioRevision = 'asm-1-29' is not a revision Azure installs today (asm-1-29's documented end of life: ~Sept 2026 (expected)); offered in westeurope: asm-1-30, asm-1-31, asm-1-32")]
    [InlineData("asm-1-30", "asm-1-32", "istio-lab:istioCanaryRevision = 'asm-1-32' is not an upgrade Azure offers from istio-lab:istioRevision 'asm-1-30' in westeurope; it offers: asm-1-31")]
    [InlineData("asm-1-31", "asm-1-33", "istio-lab:istioCanaryRevision = 'asm-1-33' is not a revision Azure offers today; offered in westeurope: asm-1-30, asm-1-31, asm-1-32")]
    [InlineData("asm-1-29", "asm-1-31", "istio-lab:istioCanaryRevision = 'asm-1-31' must be asm-1-30")]
    public void TheRevisionsMustBeWhatTheLocationOffers(string stable, string? canary, string expected)
    {
        var profile = Offering(("asm-1-30", ["asm-1-31"]), ("asm-1-31", ["asm-1-32"]), ("asm-1-32", []));
        var entries = new List<(string, string)> { ("istio-lab:istioRevision", stable) };
        if (canary is not null)
        {
            entries.Add(("istio-lab:istioCanaryRevision", canary));
        }

        var errors = MeshRevisionOffer.Check(Parse([.. entries]), profile);

        if (expected.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.StartsWith(expected, Assert.Single(errors).ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WithoutAPinnedRevisionThereIsNothingToCheck() =>
        Assert.Empty(MeshRevisionOffer.Check(LabSettings.Defaults, Offering(("asm-1-31", []))));

    [Theory]
    [InlineData("asm-1-27", "asm-1-30")]
    [InlineData("asm-1-28", "asm-1-30")]
    [InlineData("asm-1-30", "asm-1-32")]
    public void OfflineACanaryMaySkipPastRevisionsOutOfSupport(string stable, string canary)
    {
        var settings = Parse(("istio-lab:istioRevision", stable), ("istio-lab:istioCanaryRevision", canary));

        Assert.Equal([stable, canary], settings.MeshRevisions);
    }

    [Theory]
    [InlineData("asm-1-27", "asm-1-31", "asm-1-28 or asm-1-29 or asm-1-30")]
    [InlineData("asm-1-30", "asm-1-33", "asm-1-31 or asm-1-32")]
    public void OfflineACanaryMayNotSkipBeyondTheNearestSupportedRevision(string stable, string canary, string allowed)
    {
        var error = Assert.Throws<LabSettingsException>(() => Parse(("istio-lab:istioRevision", stable), ("istio-lab:istioCanaryRevision", canary)));

        Assert.EndsWith(allowed, Assert.Single(error.Errors).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSupportCalendarSaysWhatTheSupportPolicySays()
    {
        // articles/aks/istio-support-policy.md release calendar; asm-1-29's end of life (~Sept 2026) has passed.
        Assert.Equal("May 2026", MeshRevisionSupport.Find("asm-1-27")!.EndOfLife);
        Assert.True(MeshRevisionSupport.IsRetired("asm-1-29"));
        Assert.False(MeshRevisionSupport.IsRetired("asm-1-30"));
        Assert.False(MeshRevisionSupport.Find("asm-1-31")!.Confirmed);
        Assert.False(MeshRevisionSupport.IsRetired("asm-1-99"));
    }

    private static readonly string[] Docs = ["README.md", "docs/upgrades.md"];

    [Fact]
    public void EveryRevisionTheDocsTellUsersToSetIsOneAzureStillOffers()
    {
        var set = new Regex(@"pulumi config set istio-lab:istio(?:Canary)?Revision (asm-1-\d+)");
        var revisions = Docs.SelectMany(d => set.Matches(File.ReadAllText(RepositoryFiles.PathOf(d.Split('/')))).Select(m => m.Groups[1].Value)).ToList();

        Assert.NotEmpty(revisions);
        Assert.All(revisions, r => Assert.False(MeshRevisionSupport.IsRetired(r), $"{r} is past its end of life; the docs must not tell anyone to set it"));
    }

    [Fact]
    public void TheUpgradeGuideSaysHowToListRevisionsAndWhatTheLabDoesWithARetiredOne()
    {
        var doc = File.ReadAllText(RepositoryFiles.PathOf("docs", "upgrades.md"));

        Assert.Contains("az aks mesh get-revisions --location", doc, StringComparison.Ordinal);
        Assert.Contains("az aks mesh get-upgrades", doc, StringComparison.Ordinal);
        Assert.Contains("is not a revision Azure installs today", doc, StringComparison.Ordinal);
        Assert.Contains("must be asm-1-", doc, StringComparison.Ordinal);
        Assert.Contains("Could not read the Istio revisions Azure offers", doc, StringComparison.Ordinal);
        Assert.Contains("meshRevisionProfiles/istio", doc, StringComparison.Ordinal);
        Assert.Contains("docs/upgrades.md", File.ReadAllText(RepositoryFiles.PathOf("README.md")), StringComparison.Ordinal);
    }
}
