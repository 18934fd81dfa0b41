using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The store's mesh dashboard: its queries as text, its layout, and its JSON against the strict model.</summary>
public class MeshDashboardTests
{
    private static LabSettings Settings(string variant = "all-in-one", string ns = "pets") =>
        LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:storeVariant"] = variant, ["istio-lab:appNamespace"] = ns });

    private static PanelSpec Panel(string title, LabSettings? settings = null) =>
        MeshDashboard.Panels(settings ?? Settings()).Single(p => p.Title.StartsWith(title, StringComparison.Ordinal));

    private static IEnumerable<string> Queries(PanelSpec panel) => panel.Queries.Select(q => q.Expr);

    [Fact]
    public void RequestRateIsPerWorkloadFromTheDestinationsReport()
    {
        var query = Assert.Single(Queries(Panel("Request rate")));

        Assert.Contains("rate(istio_requests_total{", query, StringComparison.Ordinal);
        Assert.Contains("reporter=\"destination\"", query, StringComparison.Ordinal);
        Assert.Contains("destination_workload_namespace=\"pets\"", query, StringComparison.Ordinal);
        Assert.StartsWith("sum by (destination_workload)", query, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorRateIsTheShareOfFiveHundreds()
    {
        var query = Assert.Single(Queries(Panel("Error rate")));

        Assert.Contains("response_code=~\"5..\"", query, StringComparison.Ordinal);
        Assert.Contains(") / sum by (destination_workload)", query, StringComparison.Ordinal);
        Assert.Equal("percentunit", Panel("Error rate").Unit);
    }

    [Fact]
    public void LatencyShowsTheThreeQuantilesFromTheDurationHistogram()
    {
        var queries = Queries(Panel("Latency")).ToList();

        Assert.Equal(["0.50", "0.95", "0.99"], queries.Select(q => q.Split('(', ',')[1]));
        Assert.All(queries, q => Assert.Contains("istio_request_duration_milliseconds_bucket{", q, StringComparison.Ordinal));
        Assert.All(queries, q => Assert.Contains("by (destination_workload, le)", q, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("all-in-one", "mongodb|rabbitmq")]
    [InlineData("quickstart", "rabbitmq")]
    public void TcpTrafficIsShownForTheVariantsTcpWorkloads(string variant, string workloads)
    {
        var queries = Queries(Panel("TCP traffic", Settings(variant))).ToList();

        Assert.Equal(2, queries.Count);
        Assert.Contains(queries, q => q.Contains("istio_tcp_sent_bytes_total{", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("istio_tcp_received_bytes_total{", StringComparison.Ordinal));
        Assert.All(queries, q => Assert.Contains($"destination_workload=~\"{workloads}\"", q, StringComparison.Ordinal));
    }

    [Fact]
    public void TheMutualTlsShareComparesMutualTlsRequestsWithAll()
    {
        var query = Assert.Single(Queries(Panel("Requests under mutual TLS")));

        Assert.Contains("connection_security_policy=\"mutual_tls\"", query, StringComparison.Ordinal);
        Assert.Contains("/ sum(rate(istio_requests_total{", query, StringComparison.Ordinal);
    }

    [Fact]
    public void IstiodsHealthIsShownFromItsOwnMetrics()
    {
        var queries = MeshDashboard.Panels(Settings()).Where(p => p.Title.StartsWith("istiod", StringComparison.Ordinal)).SelectMany(Queries).ToList();

        Assert.Contains(queries, q => q.Contains("pilot_xds_pushes", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("pilot_proxy_convergence_time_bucket", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("up{job=\"istiod\"}", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryQueryIsBalancedAndEveryPanelReadsTheChosenDataSource()
    {
        var dashboard = MeshDashboard.Build(Settings());

        Assert.All(dashboard.Panels.SelectMany(p => p.Targets), t =>
        {
            Assert.Equal(t.Expr.Count(c => c == '('), t.Expr.Count(c => c == ')'));
            Assert.Equal(t.Expr.Count(c => c == '{'), t.Expr.Count(c => c == '}'));
            Assert.Equal("${datasource}", t.Datasource.Uid);
        });
        Assert.All(dashboard.Panels, p => Assert.Equal("${datasource}", p.Datasource.Uid));
        var variable = Assert.Single(dashboard.Templating.List);
        Assert.Equal(("datasource", "datasource", "prometheus"), (variable.Name, variable.Type, variable.Query));
    }

    [Fact]
    public void PanelsHaveUniqueIdsAndDoNotOverlapOnTheGrid()
    {
        var panels = MeshDashboard.Build(Settings()).Panels;

        Assert.Equal(panels.Count, panels.Select(p => p.Id).Distinct().Count());
        Assert.All(panels, p => Assert.InRange(p.GridPos.X + p.GridPos.W, 1, 24));
        var cells = panels.SelectMany(p => Enumerable.Range(p.GridPos.X, p.GridPos.W).SelectMany(x => Enumerable.Range(p.GridPos.Y, p.GridPos.H).Select(y => (x, y)))).ToList();
        Assert.Equal(cells.Count, cells.Distinct().Count());
        Assert.All(panels, p => Assert.NotEmpty(p.Targets));
    }

    [Fact]
    public void TheRequestLoadsBackStrictlyAndReplacesTheLabsEarlierVersion()
    {
        var json = MeshDashboard.RequestJson(Settings());

        var request = MeshDashboard.LoadRequest(json);
        Assert.True(request.Overwrite);
        Assert.Equal(MeshDashboard.Uid, request.Dashboard.Uid);
        Assert.Equal(MeshDashboard.SchemaVersion, request.Dashboard.SchemaVersion);
        Assert.Equal(8, request.Dashboard.Panels.Count);
        Assert.Contains("\"schemaVersion\":39", json, StringComparison.Ordinal);
        Assert.Contains("\"gridPos\":{", json, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => MeshDashboard.LoadRequest(json.Replace("\"gridPos\"", "\"gridPosition\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheDashboardFollowsTheAppNamespace()
    {
        var json = MeshDashboard.RequestJson(Settings(ns: "shop"));

        Assert.Contains("destination_workload_namespace=\\u0022shop\\u0022", json, StringComparison.Ordinal);
        Assert.DoesNotContain("pets", json, StringComparison.Ordinal);
    }
}
