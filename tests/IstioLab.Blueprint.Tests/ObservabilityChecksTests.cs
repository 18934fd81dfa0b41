using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The metrics and kiali checks and the dashboard Job: their scripts run under /bin/sh against a fake curl.</summary>
public sealed class ObservabilityChecksTests : IDisposable
{
    private readonly CheckScriptRunner runner = new();
    private readonly string tokenDir = Directory.CreateTempSubdirectory("istio-lab-token-").FullName;

    public ObservabilityChecksTests()
    {
        File.WriteAllText(Path.Combine(tokenDir, "token"), "sa-token");
    }

    public void Dispose()
    {
        runner.Dispose();
        Directory.Delete(tokenDir, recursive: true);
    }

    private static V1Job Gateway => WorkshopChecks.GatewayJob(LabSettings.Defaults, "20.1.2.3");

    private static V1Job Metrics => ObservabilityChecks.MetricsJob(LabSettings.Defaults, Gateway);

    private static V1Job KialiCheck => ObservabilityChecks.KialiJob(LabSettings.Defaults, Metrics);

    private static string Result(string value) =>
        $$$"""0|{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1764610000.123,"{{{value}}}"]}]}}\nHTTP_STATUS:200""";

    private const string EmptyResult = """0|{"status":"success","data":{"resultType":"vector","result":[]}}\nHTTP_STATUS:200""";

    /// <summary>A workload graph as Kiali's API returns it, with the gateway's edge to store-front when <paramref name="withEdge"/>.</summary>
    private static string Graph(bool withEdge) =>
        "0|" + """{"timestamp":1764610000,"duration":600,"graphType":"workload","elements":{"nodes":[""" +
        """{"data":{"id":"n1","nodeType":"workload","cluster":"Kubernetes","namespace":"aks-istio-ingress","workload":"aks-istio-ingressgateway-external-asm-1-30","app":"aks-istio-ingressgateway-external","isOutside":true}},""" +
        """{"data":{"id":"n2","nodeType":"workload","cluster":"Kubernetes","namespace":"pets","workload":"store-front","app":"store-front","version":"2.0.0"}},""" +
        """{"data":{"id":"n3","nodeType":"workload","cluster":"Kubernetes","namespace":"pets","workload":"order-service","app":"order-service"}}],"edges":[""" +
        (withEdge ? """{"data":{"id":"e1","source":"n1","target":"n2","traffic":{"protocol":"http","rates":{"http":"0.5"}},"isMTLS":"100"}},""" : "") +
        """{"data":{"id":"e2","source":"n2","target":"n3","traffic":{"protocol":"http"}}}]}}""";

    [Fact]
    public void TheMetricsCheckRunsAfterTheGatewayCheckAndLongerThanIt()
    {
        var job = Metrics;

        Assert.Equal(WorkshopChecks.DependsOn(Gateway), job.Metadata.Annotations[WorkshopChecks.DependsOnAnnotation]);
        Assert.Equal($"batch/namespaces/pets-outside-mesh/Job/{Gateway.Metadata.Name}", job.Metadata.Annotations["config.kubernetes.io/depends-on"]);
        Assert.Equal(ObservabilityChecks.ActiveDeadlineSeconds, job.Spec.ActiveDeadlineSeconds);
        Assert.True(long.Parse(job.Metadata.Annotations["pulumi.com/timeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture) > job.Spec.ActiveDeadlineSeconds);
        Assert.Equal(MonitoringManifest.ProxyUrl, job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "TARGET_URL").Value);
        Assert.Equal("false", job.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
    }

    [Fact]
    public void TheMetricsCheckAsksForStoreFrontsRequestsInTheStoresNamespace()
    {
        var query = ObservabilityChecks.StoreFrontRequestsQuery(LabSettings.Defaults);

        Assert.Equal("""sum(istio_requests_total{reporter="destination", destination_workload_namespace="pets", destination_workload="store-front"})""", query);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("3.5")]
    public void TheMetricsCheckPassesOnANonZeroCount(string value)
    {
        var (exit, output, calls) = runner.Run(Metrics, Result(value));

        Assert.Equal(0, exit);
        Assert.Equal($"PASS metrics: the workspace counts {value} requests to store-front (istio_requests_total, through {MonitoringManifest.ProxyUrl})", output.Trim());
        Assert.Contains(calls, c => c.Contains("/api/v1/query", StringComparison.Ordinal) && c.Contains("query=sum(istio_requests_total{", StringComparison.Ordinal));
    }

    [Fact]
    public void TheMetricsCheckWaitsForIngestionAndForTheRoleToPropagate()
    {
        var (exit, output, calls) = runner.Run(Metrics, "0|{\"error\":\"unauthorized\"}\\nHTTP_STATUS:403", EmptyResult, Result("0"), Result("7"));

        Assert.Equal(0, exit);
        Assert.StartsWith("PASS metrics:", output, StringComparison.Ordinal);
        Assert.Equal(4, calls.Count(c => c.Contains("/api/v1/query", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("403", "0|{}\\nHTTP_STATUS:403")]
    [InlineData("200", EmptyResult)]
    [InlineData("200", "0|{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1764610000,\"0\"]}]}}\\nHTTP_STATUS:200")]
    [InlineData("000", "7|\\nHTTP_STATUS:000")]
    public void TheMetricsCheckFailsWithTheReasonWhenNoTrafficArrives(string code, string plan)
    {
        var (exit, output, _) = runner.Run(Metrics, plan);

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"FAIL metrics: after 4 attempts", line, StringComparison.Ordinal);
        Assert.Contains($"HTTP '{code}'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheKialiCheckRunsAfterMetricsWithTheLeastPrivilegeThatCanAsk()
    {
        var job = KialiCheck;
        var objects = ObservabilityChecks.Build(LabSettings.Defaults, Gateway);
        var binding = Assert.Single(objects.OfType<V1ClusterRoleBinding>());

        Assert.Equal(WorkshopChecks.DependsOn(Metrics), job.Metadata.Annotations[WorkshopChecks.DependsOnAnnotation]);
        Assert.Equal(ObservabilityChecks.KialiCheckServiceAccount, job.Spec.Template.Spec.ServiceAccountName);
        Assert.True(job.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.Equal(("ClusterRole", Kiali.ViewerRole), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(ObservabilityChecks.KialiCheckServiceAccount, binding.Subjects.Single().Name);
        Assert.Equal("pets-outside-mesh", binding.Subjects.Single().NamespaceProperty);
        Assert.Equal(Kiali.Url, job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "TARGET_URL").Value);
    }

    [Fact]
    public void TheKialiCheckPassesWhenTheGraphHasTheGatewaysEdgeToStoreFront()
    {
        var (exit, output, calls) = runner.RunWith(KialiCheck, new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, "0|200", "0|200", Graph(withEdge: true));

        Assert.Equal(0, exit);
        Assert.Equal("PASS kiali: Kiali is healthy and its graph of pets has the edge ingress gateway -> store-front", output.Trim());
        Assert.EndsWith("/kiali/healthz", calls[0], StringComparison.Ordinal);
        Assert.Contains("token=sa-token", calls[1], StringComparison.Ordinal);
        Assert.Contains("/kiali/api/namespaces/graph?namespaces=pets&graphType=workload&injectServiceNodes=false", calls[2], StringComparison.Ordinal);
    }

    [Fact]
    public void TheKialiCheckWaitsForKialiToComeUpAndTheEdgeToAppear()
    {
        var (exit, output, _) = runner.RunWith(KialiCheck, new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir },
            "7|000", "0|200", "0|200", Graph(withEdge: false), "0|200", "0|200", Graph(withEdge: true));

        Assert.Equal(0, exit);
        Assert.StartsWith("PASS kiali:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("healthz HTTP '503'", "0|503")]
    [InlineData("login HTTP '401'", "0|200", "0|401")]
    [InlineData("no edge", "0|200", "0|200", "GRAPH-WITHOUT-EDGE")]
    public void TheKialiCheckFailsWhenKialiCannotShowTheEdge(string expected, params string[] plan)
    {
        var script = plan.Select(p => p == "GRAPH-WITHOUT-EDGE" ? Graph(withEdge: false) : p).ToArray();

        var (exit, output, _) = runner.RunWith(KialiCheck, new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, script);

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("FAIL kiali: after 4 attempts", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEdgeBetweenOtherWorkloadsIsNotTheGatewaysEdge()
    {
        var graph = Graph(withEdge: false).Replace("\"source\":\"n2\",\"target\":\"n3\"", "\"source\":\"n3\",\"target\":\"n2\"", StringComparison.Ordinal);

        var (exit, _, _) = runner.RunWith(KialiCheck, new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, "0|200", "0|200", graph);

        Assert.Equal(1, exit);
    }

    private Dictionary<string, string> WorkloadIdentity() => new()
    {
        ["AZURE_CLIENT_ID"] = "publisher-client",
        ["AZURE_TENANT_ID"] = "tenant",
        ["AZURE_FEDERATED_TOKEN_FILE"] = Path.Combine(tokenDir, "token"),
        ["AZURE_AUTHORITY_HOST"] = "https://login.microsoftonline.com/",
        ["INTERVAL_SECONDS"] = "0",
    };

    private static V1Job Publisher => MonitoringManifest.PublishJob(LabSettings.Defaults, MonitoringFacts.Placeholders);

    [Fact]
    public void TheDashboardJobExchangesItsFederatedTokenThenPostsTheDashboard()
    {
        var (exit, output, calls) = runner.RunWith(Publisher, WorkloadIdentity(), "0|{\"token_type\":\"Bearer\",\"access_token\":\"grafana-token\"}", "0|200");

        Assert.Equal(0, exit);
        Assert.StartsWith("OK dashboard: published 'istio-lab-store-mesh'", output, StringComparison.Ordinal);
        Assert.Contains("https://login.microsoftonline.com/tenant/oauth2/v2.0/token", calls[0], StringComparison.Ordinal);
        Assert.Contains("scope=ce34e7e5-485f-4d76-964f-b3d2b16d1e4f/.default", calls[0], StringComparison.Ordinal);
        Assert.Contains("client_assertion=sa-token", calls[0], StringComparison.Ordinal);
        Assert.Contains("/api/dashboards/db", calls[1], StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer grafana-token", calls[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TheDashboardJobRetriesWhileTheRoleIsNotThereYetThenFailsClearly()
    {
        var token = "0|{\"access_token\":\"t\"}";

        var (exit, output, calls) = runner.RunWith(Publisher, WorkloadIdentity(), token, "0|403", token, "0|403", token, "0|403", token, "0|403");

        Assert.Equal(1, exit);
        Assert.Equal(8, calls.Count);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Grafana answered HTTP '403'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDashboardJobFailsAtOnceWithoutWorkloadIdentity()
    {
        var env = WorkloadIdentity();
        env.Remove("AZURE_FEDERATED_TOKEN_FILE");

        var (exit, output, calls) = runner.RunWith(Publisher, env, "0|{}");

        Assert.Equal(1, exit);
        Assert.Empty(calls);
        Assert.StartsWith("FAIL dashboard: AZURE_FEDERATED_TOKEN_FILE is not set", output, StringComparison.Ordinal);
    }
}
