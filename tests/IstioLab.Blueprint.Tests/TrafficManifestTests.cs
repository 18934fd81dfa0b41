using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Traffic;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>Traffic management's objects for every feature, on both store variants (each supports every feature).</summary>
public class TrafficManifestTests
{
    private static LabSettings Settings(string variant, params (string Key, string Value)[] entries)
    {
        var config = entries.ToDictionary(e => e.Key, e => (string?)e.Value);
        config["istio-lab:storeVariant"] = variant;
        return LabSettings.Parse(config);
    }

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Everything(LabSettings settings) =>
        LabManifest.Build(settings, "asm-1-30", "secret", "20.50.60.70");

    private static VirtualService GatewayRoute(LabSettings settings) => MeshManifest.StoreRoute(settings);

    private static V1Deployment Deployment(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects, string name) =>
        Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == name);

    public static TheoryData<string> Variants => new() { "all-in-one", "quickstart" };

    [Theory]
    [MemberData(nameof(Variants))]
    public void WithNoTrafficKeyNothingIsAddedOrChanged(string variant)
    {
        var settings = Settings(variant);
        var objects = Everything(settings);

        Assert.Empty(TrafficManifest.Build(settings));
        Assert.DoesNotContain(objects, o => o is DestinationRule);
        Assert.DoesNotContain(objects, o => o.Metadata.Name == "store-front-v2");
        Assert.DoesNotContain(objects, o => o.Metadata.Name.StartsWith("check-traffic", StringComparison.Ordinal));
        Assert.False(Deployment(objects, "store-front").Spec.Template.Metadata.Labels.ContainsKey("version"));
        var route = Assert.Single(GatewayRoute(settings).Spec.Http);
        Assert.Null(route.Name);
        Assert.Null(route.Timeout);
        Assert.Null(Assert.Single(route.Route).Destination.Subset);
        Assert.DoesNotContain(WorkshopChecks.For(settings), c => c.Name == "traffic");
        Assert.Single(Assert.Single(objects.OfType<VirtualService>()).Spec.Http);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ACanaryAddsStoreFrontV2OnTheCanaryReleaseBehindTheSameServiceAndIdentity(string variant)
    {
        var settings = Settings(variant, ("istio-lab:canaryWeight", "20"));
        var objects = Everything(settings);
        var v1 = Deployment(objects, "store-front");
        var v2 = Deployment(objects, "store-front-v2");

        Assert.Equal("ghcr.io/azure-samples/aks-store-demo/store-front:2.0.0", v1.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("ghcr.io/azure-samples/aks-store-demo/store-front:2.1.0", v2.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("v1", v1.Spec.Template.Metadata.Labels["version"]);
        Assert.Equal("v2", v2.Spec.Template.Metadata.Labels["version"]);
        Assert.Equal("store-front", v2.Spec.Template.Metadata.Labels["app"]);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "store-front", ["version"] = "v2" }, v2.Spec.Selector.MatchLabels);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "store-front" }, v1.Spec.Selector.MatchLabels);
        Assert.Equal("store-front", v2.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal(v1.Spec.Template.Spec.Containers.Single().ReadinessProbe.HttpGet.Path, v2.Spec.Template.Spec.Containers.Single().ReadinessProbe.HttpGet.Path);
        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == "store-front");
        Assert.Equal(new Dictionary<string, string> { ["app"] = "store-front" }, service.Spec.Selector);
        Assert.Empty(objects.SelectMany(KubernetesRules.Violations));
    }

    [Fact]
    public void AnotherCanaryTagIsTheImageOfV2Only()
    {
        var v2 = TrafficManifest.CanaryDeployment(Settings("all-in-one", ("istio-lab:canaryWeight", "10"), ("istio-lab:canaryImageTag", "2.2.0")));

        Assert.Equal("ghcr.io/azure-samples/aks-store-demo/store-front:2.2.0", v2.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("2.2.0", v2.Metadata.Labels["app.kubernetes.io/version"]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TheDestinationRuleNamesSubsetsV1AndV2ByTheReleaseTheirPodsRun(string variant)
    {
        var settings = Settings(variant, ("istio-lab:canaryWeight", "20"));
        var rule = Assert.Single(TrafficManifest.DestinationRules(settings));

        Assert.Equal("networking.istio.io/v1", rule.ApiVersion);
        Assert.Equal("DestinationRule", rule.Kind);
        Assert.Equal("store-front", rule.Spec.Host);
        Assert.Equal(["v1", "v2"], rule.Spec.Subsets!.Select(s => s.Name));
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/version"] = "2.0.0" }, rule.Spec.Subsets![0].Labels);
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/version"] = "2.1.0" }, rule.Spec.Subsets[1].Labels);
        Assert.Null(rule.Spec.TrafficPolicy);

        // Each subset selects exactly its version's pods, both before and after v1 gains or loses `version: v1`.
        var v2Pods = TrafficManifest.CanaryDeployment(settings).Spec.Template.Metadata.Labels;
        foreach (var v1Pods in new[] { Settings(variant), settings }.Select(s => Store.StoreManifest.Build(s).OfType<V1Deployment>().Single(d => d.Metadata.Name == "store-front").Spec.Template.Metadata.Labels))
        {
            Assert.True(Selects(rule.Spec.Subsets[0], v1Pods) && !Selects(rule.Spec.Subsets[1], v1Pods));
            Assert.True(Selects(rule.Spec.Subsets[1], v2Pods) && !Selects(rule.Spec.Subsets[0], v2Pods));
        }
    }

    private static bool Selects(Subset subset, IDictionary<string, string> podLabels) =>
        subset.Labels.All(l => podLabels.TryGetValue(l.Key, out var value) && value == l.Value);

    [Theory]
    [MemberData(nameof(Variants))]
    public void TheAbHeaderGoesToV2AndTheRestSplits80To20WithEachRouteNamingItsVersion(string variant)
    {
        var routes = GatewayRoute(Settings(variant, ("istio-lab:canaryWeight", "20"), ("istio-lab:abHeader", "x-store-variant=b"))).Spec.Http;

        Assert.Equal(2, routes.Count);
        var ab = routes[0];
        Assert.Equal("b", Assert.Single(ab.Match).Headers!["x-store-variant"].Exact);
        var toV2 = Assert.Single(ab.Route);
        Assert.Equal(("store-front", "v2", 80), (toV2.Destination.Host, toV2.Destination.Subset, toV2.Destination.Port.Number));
        Assert.Equal("v2", toV2.Headers!.Response!.Set!["x-store-version"]);

        var split = routes[1];
        Assert.Null(Assert.Single(split.Match).Headers);
        Assert.Equal([("v1", 80), ("v2", 20)], split.Route.Select(d => (d.Destination.Subset!, d.Weight!.Value)));
        Assert.All(split.Route, d => Assert.Equal(d.Destination.Subset, d.Headers!.Response!.Set!["x-store-version"]));
    }

    [Theory]
    [InlineData("0", "v1")]
    [InlineData("100", "v2")]
    public void AtTheEndsOfACanaryTheRouteHasOneDestination(string weight, string subset)
    {
        var split = Assert.Single(GatewayRoute(Settings("all-in-one", ("istio-lab:canaryWeight", weight))).Spec.Http);

        var only = Assert.Single(split.Route);
        Assert.Equal(subset, only.Destination.Subset);
        Assert.Null(only.Weight);
        Assert.Equal(subset, only.Headers!.Response!.Set!["x-store-version"]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void FaultsAreInjectedIntoTheFrontEndsCallsToTheProductApiOnly(string variant)
    {
        var settings = Settings(variant, ("istio-lab:faultAbortPercent", "10"), ("istio-lab:faultAbortStatus", "500"),
            ("istio-lab:faultDelayPercent", "20"), ("istio-lab:faultDelay", "3s"));
        var service = Assert.Single(TrafficManifest.MeshRoutes(settings));

        Assert.Equal("product-service", service.Metadata.Name);
        Assert.Equal(["product-service"], service.Spec.Hosts);
        Assert.Empty(service.Spec.Gateways);
        var (faulted, others) = (service.Spec.Http[0], service.Spec.Http[1]);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "store-front" }, Assert.Single(faulted.Match).SourceLabels);
        Assert.Equal(500, faulted.Fault!.Abort!.HttpStatus);
        Assert.Equal(10, faulted.Fault.Abort.Percentage.Value);
        Assert.Equal("3s", faulted.Fault.Delay!.FixedDelay);
        Assert.Equal(20, faulted.Fault.Delay.Percentage.Value);
        Assert.Equal(3002, Assert.Single(faulted.Route).Destination.Port.Number);
        Assert.Null(others.Fault);
        Assert.Null(Assert.Single(others.Match).SourceLabels);
        Assert.Empty(TrafficManifest.DestinationRules(settings));
        Assert.Single(GatewayRoute(settings).Spec.Http);
    }

    [Fact]
    public void AnAbortAloneInjectsNoDelay()
    {
        var faulted = TrafficManifest.MeshRoutes(Settings("quickstart", ("istio-lab:faultAbortPercent", "50"))).Single().Spec.Http[0];

        Assert.Null(faulted.Fault!.Delay);
        Assert.Equal(503, faulted.Fault.Abort!.HttpStatus);
    }

    [Theory]
    [InlineData("all-in-one", new[] { "order-service", "makeline-service", "product-service" })]
    [InlineData("quickstart", new[] { "order-service", "product-service" })]
    public void TimeoutAndRetriesGoOnEveryRouteToTheStoresHttpServicesButNotOnTheFaultedOne(string variant, string[] called)
    {
        var settings = Settings(variant, ("istio-lab:timeout", "3s"), ("istio-lab:retries", "2"), ("istio-lab:retryOn", "connect-failure,refused-stream"),
            ("istio-lab:faultAbortPercent", "10"));
        var services = TrafficManifest.MeshRoutes(settings);

        Assert.Equal(called, services.Select(s => s.Metadata.Name));
        var routes = services.SelectMany(s => s.Spec.Http).Concat(GatewayRoute(settings).Spec.Http).ToList();
        Assert.All(routes.Where(r => r.Fault is null), r =>
        {
            Assert.Equal("3s", r.Timeout);
            Assert.Equal(2, r.Retries!.Attempts);
            Assert.Equal("connect-failure,refused-stream", r.Retries.RetryOn);
            Assert.Null(r.Retries.PerTryTimeout);
        });
        var faulted = Assert.Single(routes, r => r.Fault is not null);
        Assert.Null(faulted.Timeout);
        Assert.Null(faulted.Retries);
    }

    [Theory]
    [InlineData("all-in-one", new[] { "order-service", "makeline-service", "product-service" })]
    [InlineData("quickstart", new[] { "order-service", "product-service" })]
    public void TheCircuitBreakerIsADestinationRulePerCalledService(string variant, string[] called)
    {
        var settings = Settings(variant, ("istio-lab:circuitBreaker", "true"));
        var rules = TrafficManifest.DestinationRules(settings);

        Assert.Equal(called, rules.Select(r => r.Spec.Host));
        Assert.All(rules, r =>
        {
            Assert.Null(r.Spec.Subsets);
            Assert.Equal(100, r.Spec.TrafficPolicy!.ConnectionPool!.Tcp!.MaxConnections);
            Assert.Equal(5, r.Spec.TrafficPolicy.OutlierDetection!.Consecutive5xxErrors);
        });
        Assert.Empty(TrafficManifest.MeshRoutes(settings));
        Assert.Single(GatewayRoute(settings).Spec.Http);
    }

    [Fact]
    public void TheChecksParallelRequestsStayFarBelowTheCircuitBreakersLimits()
    {
        Assert.True(TrafficCheck.Parallel * 2 <= TrafficCatalog.MaxConnections);
        Assert.True(TrafficCheck.Parallel * 2 <= TrafficCatalog.Http1MaxPendingRequests);
        Assert.True(TrafficCheck.Parallel * 2 <= TrafficCatalog.Http2MaxRequests);
    }

    [Fact]
    public void TheObjectsUseIstiosOwnFieldNames()
    {
        // Literal names from istio/api networking/v1alpha3 virtual_service.proto and destination_rule.proto (JSON names).
        var settings = Settings("all-in-one", ("istio-lab:canaryWeight", "20"), ("istio-lab:abHeader", "x-store-variant=b"),
            ("istio-lab:faultAbortPercent", "10"), ("istio-lab:faultDelayPercent", "20"), ("istio-lab:timeout", "30s"),
            ("istio-lab:retries", "2"), ("istio-lab:retryPerTryTimeout", "10s"), ("istio-lab:retryOn", "connect-failure"), ("istio-lab:circuitBreaker", "true"));
        var yaml = LabManifest.ToYaml([.. TrafficManifest.Build(settings), GatewayRoute(settings)]);

        foreach (var field in new[]
        {
            "subsets:", "trafficPolicy:", "connectionPool:", "tcp:", "maxConnections: 100", "http1MaxPendingRequests: 100", "http2MaxRequests: 100",
            "outlierDetection:", "consecutive5xxErrors: 5", "interval: 10s", "baseEjectionTime: 30s", "maxEjectionPercent: 100",
            "sourceLabels:", "fault:", "abort:", "httpStatus: 503", "delay:", "fixedDelay: 5s", "percentage:", "value: 10",
            "timeout: 30s", "retries:", "attempts: 2", "perTryTimeout: 10s", "retryOn: connect-failure",
            "subset: v2", "weight: 20", "headers:", "response:", "set:", "x-store-version: v2", "exact: b",
        })
        {
            Assert.Contains(field, yaml, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryTrafficObjectReadsBackAsItsTypedIstioObject()
    {
        var settings = Settings("all-in-one", ("istio-lab:canaryWeight", "20"), ("istio-lab:abHeader", "x-store-variant=b"),
            ("istio-lab:faultAbortPercent", "10"), ("istio-lab:faultDelayPercent", "20"), ("istio-lab:timeout", "3s"),
            ("istio-lab:retries", "2"), ("istio-lab:circuitBreaker", "true"));
        var yaml = LabManifest.ToYaml(Everything(settings));

        var loaded = LabManifest.Load(yaml);

        Assert.Equal(4, loaded.OfType<DestinationRule>().Count());
        Assert.Equal(4, loaded.OfType<VirtualService>().Count());
        Assert.Equal(yaml, LabManifest.ToYaml(loaded));
    }

    [Fact]
    public void TheTrafficCheckRunsAfterTheGatewayCheckWheneverATrafficKeyIsSet()
    {
        foreach (var key in new[] { ("istio-lab:canaryWeight", "10"), ("istio-lab:faultAbortPercent", "5"), ("istio-lab:faultDelayPercent", "5"), ("istio-lab:timeout", "5s"), ("istio-lab:retries", "1"), ("istio-lab:circuitBreaker", "true") })
        {
            var settings = Settings("all-in-one", key);
            var names = WorkshopChecks.For(settings).Select(c => c.Name).ToList();
            Assert.True(names.IndexOf("traffic") > names.IndexOf("gateway"), key.Item1);

            var jobs = WorkshopChecks.Build(settings, "asm-1-30", "20.50.60.70").OfType<V1Job>().ToList();
            var gateway = Assert.Single(jobs, j => j.Metadata.Name.StartsWith("check-gateway-", StringComparison.Ordinal));
            var traffic = Assert.Single(jobs, j => j.Metadata.Name.StartsWith("check-traffic-", StringComparison.Ordinal));
            Assert.Equal(WorkshopChecks.DependsOn(gateway), traffic.Metadata.Annotations[WorkshopChecks.DependsOnAnnotation]);
            Assert.Equal(names, jobs.Select(j => j.Metadata.Name[6..j.Metadata.Name.LastIndexOf('-')]));
        }
    }
}

/// <summary>The mesh dashboard watches a canary: request and error rate per store front version, only with a canary.</summary>
public class TrafficDashboardTests
{
    private static LabSettings Settings(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    [Fact]
    public void WithoutACanaryTheDashboardIsUnchanged()
    {
        Assert.Empty(TrafficDashboard.Panels(Settings(("istio-lab:faultAbortPercent", "10"), ("istio-lab:circuitBreaker", "true"))));
        Assert.DoesNotContain(Observability.MeshDashboard.Panels(Settings()), p => p.Title.Contains("by version", StringComparison.Ordinal));
    }

    [Fact]
    public void WithACanaryTheDashboardShowsRequestAndErrorRateByVersion()
    {
        var settings = Settings(("istio-lab:canaryWeight", "10"));
        var panels = Observability.MeshDashboard.Build(settings).Panels;

        var rate = Assert.Single(panels, p => p.Title == "store-front: request rate by version");
        var errors = Assert.Single(panels, p => p.Title == "store-front: error rate by version");
        Assert.Equal("{{destination_version}}", Assert.Single(rate.Targets).LegendFormat);
        Assert.StartsWith("sum by (destination_version) (rate(istio_requests_total{", rate.Targets[0].Expr, StringComparison.Ordinal);
        Assert.Contains("""destination_app="store-front" """.TrimEnd(), rate.Targets[0].Expr, StringComparison.Ordinal);
        Assert.Contains("""destination_workload_namespace="pets" """.TrimEnd(), errors.Targets[0].Expr, StringComparison.Ordinal);
        Assert.Contains("""response_code=~"5.." """.TrimEnd(), errors.Targets[0].Expr, StringComparison.Ordinal);
        Assert.Equal(["reqps", "percentunit"], new[] { rate, errors }.Select(p => p.FieldConfig.Defaults.Unit));
        Assert.Equal(panels.Count, panels.Select(p => (p.GridPos.X, p.GridPos.Y)).Distinct().Count());
    }

    [Fact]
    public void PodsOfBothVersionsCarryTheLabelsIstioAndKialiReadForAVersion()
    {
        // Istio's canonical revision: service.istio.io/canonical-revision, else app.kubernetes.io/version, else version
        // (istio/istio pkg/kube/labels/labels.go); the subsets select version.
        var settings = Settings(("istio-lab:canaryWeight", "10"));
        var v1 = Store.StoreManifest.Build(settings).OfType<V1Deployment>().Single(d => d.Metadata.Name == "store-front").Spec.Template.Metadata.Labels;
        var v2 = TrafficManifest.CanaryDeployment(settings).Spec.Template.Metadata.Labels;

        Assert.Equal(("store-front", "2.0.0", "v1"), (v1["app"], v1["app.kubernetes.io/version"], v1["version"]));
        Assert.Equal(("store-front", "2.1.0", "v2"), (v2["app"], v2["app.kubernetes.io/version"], v2["version"]));
    }
}

/// <summary>With a canary, the observability checks look for the traffic the routes really send.</summary>
public class TrafficObservabilityChecksTests
{
    private static LabSettings Settings(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static string Env(V1Job job, string name) => job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == name).Value;

    private static List<V1Job> Jobs(LabSettings settings) => [.. Checks.WorkshopChecks.Build(settings, "asm-1-30", "20.50.60.70").OfType<V1Job>()];

    private static V1Job Named(List<V1Job> jobs, string check) => jobs.Single(j => j.Metadata.Name.StartsWith($"check-{check}-", StringComparison.Ordinal));

    [Theory]
    [InlineData("0", "store-front")]
    [InlineData("50", "store-front")]
    [InlineData("51", "store-front-v2")]
    [InlineData("100", "store-front-v2")]
    public void TheKialiCheckLooksForTheGatewaysEdgeToTheVersionWithMostOfTheTraffic(string weight, string workload) =>
        Assert.Equal(workload, Env(Named(Jobs(Settings(("istio-lab:canaryWeight", weight))), "kiali"), "TARGET_WORKLOAD"));

    [Fact]
    public void TheMetricsCheckCountsBothVersionsAndRunsAfterTheTrafficCheck()
    {
        var jobs = Jobs(Settings(("istio-lab:canaryWeight", "100")));
        var metrics = Named(jobs, "metrics");

        Assert.Contains("""destination_workload=~"store-front|store-front-v2" """.TrimEnd(), Env(metrics, "QUERY"), StringComparison.Ordinal);
        Assert.Equal(Checks.WorkshopChecks.DependsOn(Named(jobs, "traffic")), metrics.Metadata.Annotations[Checks.WorkshopChecks.DependsOnAnnotation]);
    }

    [Fact]
    public void WithoutTrafficKeysTheObservabilityChecksAreTheWorkshops()
    {
        var jobs = Jobs(Settings());

        Assert.Equal("store-front", Env(Named(jobs, "kiali"), "TARGET_WORKLOAD"));
        Assert.Contains("""destination_workload="store-front" """.TrimEnd(), Env(Named(jobs, "metrics"), "QUERY"), StringComparison.Ordinal);
        Assert.Equal(Checks.WorkshopChecks.DependsOn(Named(jobs, "gateway")), Named(jobs, "metrics").Metadata.Annotations[Checks.WorkshopChecks.DependsOnAnnotation]);
    }
}
