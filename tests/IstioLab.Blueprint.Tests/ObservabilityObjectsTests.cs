using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The Azure names, recording rules, scrape config and in-cluster objects of observability.</summary>
public class ObservabilityObjectsTests
{
    private static LabSettings Settings(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static readonly MonitoringFacts Facts = new("reader-client", "https://amw.westeurope.prometheus.monitor.azure.com", "publisher-client", "https://grafana.weu.grafana.azure.com/");

    private static List<object> Objects(LabSettings? settings = null) =>
        LabManifest.Load(LabManifest.MonitoringYaml(settings ?? LabSettings.Defaults, Facts));

    [Theory]
    [InlineData("istio-lab-aks")]
    [InlineData("a-cluster-name-that-is-as-long-as-aks-allows-sixty-three-chars1")]
    [InlineData("mesh_01")]
    public void EveryAzureNameFitsItsTypesRules(string cluster)
    {
        var settings = Settings(("istio-lab:clusterName", cluster), ("azure-native:location", "southeastasia"));

        Assert.Matches("^[A-Za-z0-9][A-Za-z0-9-]{2,42}[A-Za-z0-9]$", AzureNames.Workspace(settings));
        Assert.InRange(AzureNames.DataCollectionEndpoint(settings).Length, 3, 44);
        Assert.InRange(AzureNames.DataCollectionRule(settings).Length, 3, 64);
        Assert.StartsWith("MSProm-southeastasia-", AzureNames.DataCollectionRule(settings), StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z][A-Za-z0-9-]{0,21}[A-Za-z0-9]$", AzureNames.Grafana(settings));
        Assert.DoesNotContain('_', AzureNames.Grafana(settings));
        Assert.Matches("^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$", AzureNames.MetricsReaderIdentity(settings));
    }

    [Fact]
    public void NamesFollowTheSettingsAndNothingElse()
    {
        Assert.Equal(AzureNames.Grafana(LabSettings.Defaults), AzureNames.Grafana(LabSettings.Defaults));
        Assert.Equal("grafana-istio-lab-aks", AzureNames.Grafana(LabSettings.Defaults));
        Assert.Equal("MSProm-westeurope-istio-lab-aks", AzureNames.DataCollectionEndpoint(LabSettings.Defaults));
        Assert.NotEqual(AzureNames.Grafana(LabSettings.Defaults), AzureNames.Grafana(Settings(("istio-lab:clusterName", "other"))));
    }

    [Fact]
    public void RoleAssignmentNamesAreVersionFiveGuidsOfWhatTheyGrant()
    {
        // Values from an independent implementation: Python's uuid.uuid5(uuid.NAMESPACE_URL, name).
        Assert.Equal(Guid.Parse("fcde3c85-2270-590f-9e7c-ee003d65e0e2"), DeterministicGuid.V5(DeterministicGuid.UrlNamespace, "http://www.example.com/"));
        const string Subscription = "00000000-1111-2222-3333-444444444444";
        var a = AzureNames.RoleAssignment(LabSettings.Defaults, Subscription, "proxy-reads-workspace");
        // uuid.uuid5(uuid.NAMESPACE_URL, "00000000-1111-2222-3333-444444444444/westeurope/istio-lab-rg/istio-lab-aks/proxy-reads-workspace")
        Assert.Equal("e646c332-a4f4-52dd-80e7-92ce5583b012", a);
        Assert.Equal(a, AzureNames.RoleAssignment(LabSettings.Defaults, Subscription, "proxy-reads-workspace"));
        Assert.NotEqual(a, AzureNames.RoleAssignment(LabSettings.Defaults, Subscription, "grafana-admin"));
        Assert.NotEqual(a, AzureNames.RoleAssignment(Settings(("istio-lab:resourceGroupName", "rg-2")), Subscription, "proxy-reads-workspace"));
        Assert.NotEqual(a, AzureNames.RoleAssignment(LabSettings.Defaults, "aaaaaaaa-1111-2222-3333-444444444444", "proxy-reads-workspace"));
        Assert.Equal('5', a[14]);
    }

    [Fact]
    public void TheRecordingRulesReadOnlyMetricsTheAddOnCollects()
    {
        var all = RecordingRules.Node.Concat(RecordingRules.Kubernetes).Concat(RecordingRules.Ux).ToList();

        Assert.All(all, r => Assert.Matches("^[a-z_]*(:[a-zA-Z0-9_]+)+$", r.Record));
        Assert.All(RecordingRules.Node, r => Assert.Contains("job=\"node\"", r.Expression, StringComparison.Ordinal));
        Assert.All(RecordingRules.Kubernetes.Concat(RecordingRules.Ux), r => Assert.Matches("job ?= ?\"(cadvisor|kube-state-metrics|node)\"|\\bux:[a-z_]+:", r.Expression));
        Assert.All(all, r => Assert.Equal(r.Expression.Count(c => c == '('), r.Expression.Count(c => c == ')')));
        Assert.Contains(RecordingRules.Kubernetes, r => r.Record == "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate");
        Assert.Contains(RecordingRules.Node, r => r.Record == "instance:node_cpu_utilisation:rate5m");
    }

    [Fact]
    public void IstiodIsScrapedOnItsMetricsPortInTheAddOnsNamespace()
    {
        var istiod = PrometheusScrapeConfig.Config(LabSettings.Defaults).ScrapeConfigs.Single(s => s.JobName == "istiod");

        Assert.Equal(["aks-istio-system"], Assert.Single(istiod.KubernetesSdConfigs).Namespaces!.Names);
        Assert.Equal("pod", istiod.KubernetesSdConfigs[0].Role);
        Assert.Contains(istiod.RelabelConfigs, r => r.Action == "keep" && r.Regex == "15014" && r.SourceLabels!.Single() == "__meta_kubernetes_pod_container_port_number");
        Assert.Contains(istiod.RelabelConfigs, r => r.Action == "keep" && r.Regex == "istiod");
    }

    [Fact]
    public void EverySidecarAndGatewayIsScrapedOnceOnItsMergedMetricsEndpoint()
    {
        var proxies = PrometheusScrapeConfig.Config(Settings(("istio-lab:appNamespace", "shop"))).ScrapeConfigs.Single(s => s.JobName == "istio-proxies");

        Assert.Equal("/stats/prometheus", proxies.MetricsPath);
        Assert.Equal(["aks-istio-system", "aks-istio-ingress", "shop"], proxies.KubernetesSdConfigs.Single().Namespaces!.Names);
        Assert.Equal("pod", proxies.KubernetesSdConfigs.Single().Role);
        Assert.Contains(proxies.RelabelConfigs, r => r.Action == "keep" && r.Regex == "istio-proxy" && r.SourceLabels!.Single() == "__meta_kubernetes_pod_container_name");
        var address = Assert.Single(proxies.RelabelConfigs, r => r.TargetLabel == "__address__");
        Assert.Matches(address.Regex!, "10.244.1.7:15090;15020");
        Assert.Equal("10.244.1.7:15020", System.Text.RegularExpressions.Regex.Replace("10.244.1.7:15090;15020", "^(?:" + address.Regex + ")$", address.Replacement!.Replace("$1", "$1", StringComparison.Ordinal)));
    }

    [Fact]
    public void BothJobsKeepTheNamespacePodAndWorkloadLabels()
    {
        foreach (var job in PrometheusScrapeConfig.Config(LabSettings.Defaults).ScrapeConfigs)
        {
            var targets = job.RelabelConfigs.Where(r => r.Action == "replace").Select(r => r.TargetLabel).ToList();
            Assert.Contains("namespace", targets);
            Assert.Contains("pod", targets);
            Assert.Contains("app", targets);
        }
    }

    [Fact]
    public void TheScrapeConfigIsTheAddOnsConfigMapAndLoadsBackStrictly()
    {
        var map = Assert.Single(Objects().OfType<V1ConfigMap>(), m => m.Metadata.Name == "ama-metrics-prometheus-config");

        Assert.Equal("kube-system", map.Metadata.NamespaceProperty);
        var text = map.Data["prometheus-config"];
        Assert.Contains("scrape_configs:", text, StringComparison.Ordinal);
        Assert.Contains("job_name: istiod", text, StringComparison.Ordinal);
        var loaded = PrometheusScrapeConfig.Load(text);
        Assert.Equal(["istiod", "istio-proxies"], loaded.ScrapeConfigs.Select(s => s.JobName));
        Assert.ThrowsAny<Exception>(() => PrometheusScrapeConfig.Load(text.Replace("job_name:", "jobname:", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheProxySignsInWithWorkloadIdentityAndForwardsToTheWorkspace()
    {
        var objects = Objects();
        var account = Assert.Single(objects.OfType<V1ServiceAccount>(), a => a.Metadata.Name == MonitoringManifest.ProxyName);
        var proxy = Assert.Single(objects.OfType<V1Deployment>());
        var pod = proxy.Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        string Env(string name) => container.Env.Single(e => e.Name == name).Value;

        Assert.Equal("reader-client", account.Metadata.Annotations["azure.workload.identity/client-id"]);
        Assert.Equal("true", pod.Metadata.Labels["azure.workload.identity/use"]);
        Assert.DoesNotContain("azure.workload.identity/use", proxy.Spec.Selector.MatchLabels.Keys);
        Assert.Equal(MonitoringManifest.ProxyName, pod.Spec.ServiceAccountName);
        Assert.Equal(Facts.QueryEndpoint, Env("TARGET_HOST"));
        Assert.Equal("https://prometheus.monitor.azure.com/.default", Env("AUDIENCE"));
        Assert.Equal("8082", Env("LISTENING_PORT"));
        Assert.Equal(MonitoringManifest.ProxyImage, container.Image);
        Assert.Contains(":0.1.0-", container.Image, StringComparison.Ordinal);
        Assert.Equal("/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/health", container.LivenessProbe.HttpGet.Path);
        Assert.NotNull(container.Resources.Requests);
        Assert.NotNull(container.Resources.Limits);
        Assert.True(container.SecurityContext.RunAsNonRoot);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
    }

    [Fact]
    public void NothingOfObservabilityIsReachableFromOutsideTheCluster()
    {
        var objects = Objects();

        Assert.All(objects.OfType<V1Service>(), s => Assert.Equal("ClusterIP", s.Spec.Type));
        Assert.Equal("ClusterIP", Kiali.Values(null).Deployment.ServiceType);
        Assert.Equal("disabled", Assert.Single(objects.OfType<V1Namespace>()).Metadata.Labels["istio-injection"]);
    }

    [Fact]
    public void TheDashboardJobPostsTheDashboardWithItsOwnIdentity()
    {
        var objects = Objects();
        var job = Assert.Single(objects.OfType<V1Job>());
        var account = Assert.Single(objects.OfType<V1ServiceAccount>(), a => a.Metadata.Name == MonitoringManifest.PublisherName);
        var map = Assert.Single(objects.OfType<V1ConfigMap>(), m => m.Metadata.Name == MonitoringManifest.DashboardConfigMap);

        Assert.Equal("publisher-client", account.Metadata.Annotations["azure.workload.identity/client-id"]);
        Assert.Equal("true", job.Spec.Template.Metadata.Labels["azure.workload.identity/use"]);
        Assert.Equal(MonitoringManifest.PublisherName, job.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal(MeshDashboard.RequestJson(LabSettings.Defaults), map.Data[MonitoringManifest.DashboardFile]);
        Assert.Equal("https://grafana.weu.grafana.azure.com", job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "GRAFANA_URL").Value);
        Assert.StartsWith("dashboard-publisher-", job.Metadata.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDashboardJobIsBoundedAndTheProviderWaitsLongerThanIt()
    {
        var job = MonitoringManifest.PublishJob(LabSettings.Defaults, Facts);

        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.True(MonitoringManifest.PublishAttempts * (MonitoringManifest.PublishIntervalSeconds + (2 * MonitoringManifest.PublishRequestTimeoutSeconds)) < job.Spec.ActiveDeadlineSeconds);
        Assert.True(long.Parse(job.Metadata.Annotations["pulumi.com/timeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture) > job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public void AChangedDashboardPublishesAgainUnderANewJobName()
    {
        var a = MonitoringManifest.PublishJob(LabSettings.Defaults, Facts).Metadata.Name;
        var b = MonitoringManifest.PublishJob(Settings(("istio-lab:appNamespace", "shop")), Facts).Metadata.Name;
        var c = MonitoringManifest.PublishJob(LabSettings.Defaults, Facts with { GrafanaEndpoint = "https://other.grafana.azure.com" }).Metadata.Name;

        Assert.Equal(a, MonitoringManifest.PublishJob(LabSettings.Defaults, Facts).Metadata.Name);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void KialiNamesNoRevisionAndReadsTheWorkspaceThroughTheProxy()
    {
        var json = Kiali.ValuesJson("https://grafana.example");
        var values = Kiali.LoadValues(json);

        Assert.DoesNotMatch("asm-1-[0-9]+", json);
        Assert.Equal(MonitoringManifest.ProxyUrl, values.ExternalServices.Prometheus.Url);
        Assert.StartsWith(MonitoringManifest.ProxyUrl + "/api/v1/query", values.ExternalServices.Prometheus.HealthCheckUrl, StringComparison.Ordinal);
        Assert.Equal("token", values.Auth.Strategy);
        Assert.False(values.ExternalServices.Tracing.Enabled);
        Assert.True(values.ExternalServices.Grafana.Enabled);
        Assert.False(Kiali.Values(null).ExternalServices.Grafana.Enabled);
        Assert.Contains("\"external_services\":", json, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Kiali.LoadValues(json.Replace("\"auth\"", "\"authz\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void PeopleLogInToKialiAsAServiceAccountBoundToItsViewerRole()
    {
        var objects = Objects();
        var login = Assert.Single(objects.OfType<V1ServiceAccount>(), a => a.Metadata.Name == Kiali.LoginServiceAccount);
        var binding = Assert.Single(objects.OfType<V1ClusterRoleBinding>(), b => b.Subjects.Single().Name == Kiali.LoginServiceAccount);

        Assert.Equal(MonitoringManifest.Namespace, login.Metadata.NamespaceProperty);
        Assert.Equal(("ClusterRole", "kiali-viewer"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Contains($"kubectl create token {Kiali.LoginServiceAccount} -n {MonitoringManifest.Namespace}", Kiali.TokenCommand, StringComparison.Ordinal);
        Assert.Equal("kubectl port-forward -n istio-lab-monitoring svc/kiali 20001:20001", Kiali.PortForwardCommand);
    }

    [Fact]
    public void WithObservabilityOffTheRenderHasNoneOfIt()
    {
        var settings = Settings(("istio-lab:observability", "false"));

        var objects = LabManifest.Build(settings, "asm-1-30", "pw", "20.1.2.3");

        Assert.DoesNotContain(objects, o => o.Metadata.NamespaceProperty == MonitoringManifest.Namespace || o.Metadata.Name == MonitoringManifest.Namespace);
        Assert.DoesNotContain(objects, o => o.Metadata.Name == PrometheusScrapeConfig.ConfigMapName);
        Assert.DoesNotContain(objects, o => o.Metadata.Name.StartsWith("check-metrics", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("istio-lab:observability", "yes", "true or false")]
    [InlineData("istio-lab:grafanaAdminObjectId", "someone@contoso.com", "GUID")]
    [InlineData("istio-lab:grafanaAdminObjectId", "12345678-1234-1234-1234-12345678", "GUID")]
    public void BadObservabilitySettingsAreRefusedByName(string key, string value, string allowed)
    {
        var error = Assert.Throws<LabSettingsException>(() => Settings((key, value)));

        var problem = Assert.Single(error.Errors);
        Assert.Equal(key, problem.Key);
        Assert.Contains(allowed, problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ObservabilityIsOnByDefaultAndTheAdminIsTheDeployer()
    {
        Assert.True(LabSettings.Defaults.Observability);
        Assert.Null(LabSettings.Defaults.GrafanaAdminObjectId);
        Assert.Equal("12345678-aaaa-bbbb-cccc-1234567890ab", Settings(("istio-lab:grafanaAdminObjectId", "12345678-AAAA-bbbb-cccc-1234567890ab")).GrafanaAdminObjectId);
    }
}
