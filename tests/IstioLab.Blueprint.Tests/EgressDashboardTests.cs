using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The dashboard's panel on outbound traffic: only with the egress allow-list, from Istio's own metric and label names.</summary>
public class EgressDashboardTests
{
    private static LabSettings Settings(string ns = "pets") => LabSettings.Parse(new Dictionary<string, string?>
    {
        ["istio-lab:egress"] = "allow-list",
        ["istio-lab:egressHosts"] = "api.example.com",
        ["istio-lab:appNamespace"] = ns,
    });

    private static PanelSpec Panel(LabSettings settings) => Assert.Single(MeshDashboard.Panels(settings), p => p.Title == "Outbound traffic to external hosts");

    [Fact]
    public void ThePanelExistsOnlyWithTheEgressAllowList()
    {
        Assert.DoesNotContain(MeshDashboard.Panels(LabSettings.Defaults), p => p.Title == EgressDashboard.Title);
        Assert.Equal(9, MeshDashboard.Build(Settings()).Panels.Count);
        Assert.Equal("Outbound traffic to external hosts", MeshDashboard.Build(Settings()).Panels[^1].Title);
    }

    [Fact]
    public void HttpCallsAreCountedByDestinationFromTheStoresOwnSidecars()
    {
        var query = Panel(Settings()).Queries[0].Expr;

        Assert.Equal(
            """sum by (destination_service_name, destination_service) (rate(istio_requests_total{reporter="source", source_workload_namespace="pets", destination_service!~".*[.]svc[.]cluster[.]local"}[5m]))""",
            query);
    }

    [Fact]
    public void TlsCallsAreCountedAsClosedConnectionsWhichIncludeBlockedOnes()
    {
        var query = Panel(Settings()).Queries[1].Expr;

        Assert.Contains("rate(istio_tcp_connections_closed_total{", query, StringComparison.Ordinal);
        Assert.Contains("reporter=\"source\", source_workload_namespace=\"pets\"", query, StringComparison.Ordinal);
        Assert.StartsWith("sum by (destination_service_name, destination_service)", query, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLegendsNameTheBlackHoleAndPassthroughClustersThroughTheirLabel()
    {
        var panel = Panel(Settings());

        Assert.All(panel.Queries, q => Assert.Contains("{{destination_service_name}} {{destination_service}}", q.Legend, StringComparison.Ordinal));
        Assert.Contains("BlackHoleCluster", panel.Description, StringComparison.Ordinal);
        Assert.Contains("PassthroughCluster", panel.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void TheInClusterExclusionMatchesServiceNamesAndNotExternalHosts()
    {
        // The label matcher's regex, as Prometheus anchors it.
        var regex = new System.Text.RegularExpressions.Regex("^(?:.*[.]svc[.]cluster[.]local)$");

        Assert.Matches(regex, "store-front.pets.svc.cluster.local");
        Assert.DoesNotMatch(regex, "api.example.com");
        Assert.DoesNotMatch(regex, "unknown");
        Assert.DoesNotMatch(regex, "BlackHoleCluster");
        Assert.Contains("destination_service!~\".*[.]svc[.]cluster[.]local\"", EgressDashboard.Filter(Settings()), StringComparison.Ordinal);
    }

    [Fact]
    public void ThePanelFollowsTheAppNamespaceAndFitsTheGrid()
    {
        var dashboard = MeshDashboard.Build(Settings("shop"));

        Assert.All(Panel(Settings("shop")).Queries, q => Assert.Contains("source_workload_namespace=\"shop\"", q.Expr, StringComparison.Ordinal));
        var cells = dashboard.Panels.SelectMany(p => Enumerable.Range(p.GridPos.X, p.GridPos.W).SelectMany(x => Enumerable.Range(p.GridPos.Y, p.GridPos.H).Select(y => (x, y)))).ToList();
        Assert.Equal(cells.Count, cells.Distinct().Count());
        Assert.All(dashboard.Panels.SelectMany(p => p.Targets), t => Assert.Equal(t.Expr.Count(c => c == '('), t.Expr.Count(c => c == ')')));
        Assert.Equal(dashboard.Panels.Count, dashboard.Panels.Select(p => p.Id).Distinct().Count());
    }
}
