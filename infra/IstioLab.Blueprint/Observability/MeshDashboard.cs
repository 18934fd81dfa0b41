using System.Text.Json;
using System.Text.Json.Serialization;
using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Observability;

// A Grafana dashboard as a typed model (the fields this lab uses of Grafana's dashboard JSON, schemaVersion 39).

public sealed class GrafanaDashboard
{
    public string Uid { get; set; } = "";
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public int SchemaVersion { get; set; }
    public string Refresh { get; set; } = "";
    public bool Editable { get; set; }
    public GrafanaTimeRange Time { get; set; } = new();
    public GrafanaTemplating Templating { get; set; } = new();
    public List<GrafanaPanel> Panels { get; set; } = [];
}

public sealed class GrafanaTimeRange
{
    public string From { get; set; } = "";
    public string To { get; set; } = "";
}

public sealed class GrafanaTemplating
{
    public List<GrafanaVariable> List { get; set; } = [];
}

public sealed class GrafanaVariable
{
    public string Name { get; set; } = "";
    public string Label { get; set; } = "";
    public string Type { get; set; } = "";
    public string Query { get; set; } = "";
}

public sealed class GrafanaPanel
{
    public int Id { get; set; }
    public string Type { get; set; } = "";
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public GrafanaGridPos GridPos { get; set; } = new();
    public GrafanaDatasourceRef Datasource { get; set; } = new();
    public List<GrafanaTarget> Targets { get; set; } = [];
    public GrafanaFieldConfig FieldConfig { get; set; } = new();
}

public sealed class GrafanaGridPos
{
    public int H { get; set; }
    public int W { get; set; }
    public int X { get; set; }
    public int Y { get; set; }
}

public sealed class GrafanaDatasourceRef
{
    public string Type { get; set; } = "";
    public string Uid { get; set; } = "";
}

public sealed class GrafanaTarget
{
    public string RefId { get; set; } = "";
    public string Expr { get; set; } = "";
    public string LegendFormat { get; set; } = "";
    public GrafanaDatasourceRef Datasource { get; set; } = new();
}

public sealed class GrafanaFieldConfig
{
    public GrafanaFieldDefaults Defaults { get; set; } = new();
    public List<object> Overrides { get; set; } = [];
}

public sealed class GrafanaFieldDefaults
{
    public string Unit { get; set; } = "";
}

/// <summary>What Grafana's <c>POST /api/dashboards/db</c> takes: the dashboard and whether to replace one with its uid.</summary>
public sealed class GrafanaDashboardRequest
{
    public GrafanaDashboard Dashboard { get; set; } = new();
    public bool Overwrite { get; set; }
    public string Message { get; set; } = "";
}

/// <summary>One panel of the dashboard as data: what it shows, its unit and its queries (legend, PromQL).</summary>
public sealed record PanelSpec(string Title, string Description, string Type, string Unit, IReadOnlyList<(string Legend, string Expr)> Queries);

/// <summary>
/// The store's mesh dashboard, built from Istio's standard metrics: the golden signals per workload (request rate,
/// error share, p50/p95/p99 latency), TCP traffic to the store's TCP workloads, the share of requests under mTLS,
/// and istiod's health. Every query reads the data source chosen in the dashboard's <c>datasource</c> variable, so
/// it works with whatever uid Managed Grafana gives the workspace's Prometheus data source.
/// </summary>
public static class MeshDashboard
{
    public const string Uid = "istio-lab-store-mesh";
    public const int SchemaVersion = 39;
    public const string DatasourceVariable = "datasource";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
    };

    private static readonly JsonSerializerOptions StrictJson = new(Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>The panels, in reading order. Workload queries are limited to the store's namespace and the destination's report.</summary>
    public static IReadOnlyList<PanelSpec> Panels(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var store = $"""reporter="destination", destination_workload_namespace="{settings.AppNamespace}" """.TrimEnd();
        var tcpWorkloads = string.Join("|", StoreCatalog.Workloads(settings.StoreVariant)
            .Where(w => w.Ports.Any(p => p.Protocol == "tcp")).Select(w => w.Name));
        var tcp = $"""{store}, destination_workload=~"{tcpWorkloads}" """.TrimEnd();
        string Latency(string quantile) =>
            $"histogram_quantile({quantile}, sum by (destination_workload, le) (rate(istio_request_duration_milliseconds_bucket{{{store}}}[5m])))";

        return
        [
            new("Request rate per workload", "Requests per second each store workload receives, as its own sidecar reports them.", "timeseries", "reqps",
                [("{{destination_workload}}", $"sum by (destination_workload) (rate(istio_requests_total{{{store}}}[5m]))")]),
            new("Error rate per workload", "Share of requests answered with a 5xx status.", "timeseries", "percentunit",
                [("{{destination_workload}}", $$"""sum by (destination_workload) (rate(istio_requests_total{{{store}}, response_code=~"5.."}[5m])) / sum by (destination_workload) (rate(istio_requests_total{{{store}}}[5m]))""")]),
            new("Latency per workload (p50, p95, p99)", "Request duration at the destination sidecar.", "timeseries", "ms",
                [("p50 {{destination_workload}}", Latency("0.50")), ("p95 {{destination_workload}}", Latency("0.95")), ("p99 {{destination_workload}}", Latency("0.99"))]),
            new("TCP traffic to the store's TCP services", "Bytes per second sent and received by the TCP workloads (AMQP, MongoDB).", "timeseries", "Bps",
                [
                    ("sent {{destination_workload}}", $"sum by (destination_workload) (rate(istio_tcp_sent_bytes_total{{{tcp}}}[5m]))"),
                    ("received {{destination_workload}}", $"sum by (destination_workload) (rate(istio_tcp_received_bytes_total{{{tcp}}}[5m]))"),
                ]),
            new("Requests under mutual TLS", "Share of the store's requests whose connection was mutual TLS; STRICT mode makes it 100%.", "stat", "percentunit",
                [("mTLS", $$"""sum(rate(istio_requests_total{{{store}}, connection_security_policy="mutual_tls"}[5m])) / sum(rate(istio_requests_total{{{store}}}[5m]))""")]),
            new("istiod: configuration pushes", "xDS pushes per second by type; istiod's work to keep proxies current.", "timeseries", "ops",
                [("{{type}}", "sum by (type) (rate(pilot_xds_pushes[5m]))")]),
            new("istiod: proxy convergence (p99)", "Time for a configuration change to reach the proxies.", "timeseries", "s",
                [("p99", "histogram_quantile(0.99, sum by (le) (rate(pilot_proxy_convergence_time_bucket[5m])))")]),
            new("istiod: instances up", "istiod pods the scrape reaches, per revision.", "stat", "none",
                [("{{revision}}", $$"""sum by (revision) (up{job="{{PrometheusScrapeConfig.IstiodJob}}"})""")]),
            .. EgressDashboard.Panels(settings),
            .. Traffic.TrafficDashboard.Panels(settings),
        ];
    }

    public static GrafanaDashboard Build(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var source = new GrafanaDatasourceRef { Type = "prometheus", Uid = "${" + DatasourceVariable + "}" };
        var panels = Panels(settings).Select((spec, i) => new GrafanaPanel
        {
            Id = i + 1,
            Type = spec.Type,
            Title = spec.Title,
            Description = spec.Description,
            // Two panels a row, each half the 24-column grid.
            GridPos = new GrafanaGridPos { H = 8, W = 12, X = i % 2 * 12, Y = i / 2 * 8 },
            Datasource = source,
            Targets = [.. spec.Queries.Select((q, j) => new GrafanaTarget
            {
                RefId = ((char)('A' + j)).ToString(),
                Expr = q.Expr,
                LegendFormat = q.Legend,
                Datasource = source,
            })],
            FieldConfig = new GrafanaFieldConfig { Defaults = new GrafanaFieldDefaults { Unit = spec.Unit } },
        }).ToList();

        return new GrafanaDashboard
        {
            Uid = Uid,
            Title = $"Store mesh ({settings.AppNamespace}, istio-lab)",
            Description = "The AKS Store Demo through the Istio add-on: golden signals per workload, mTLS share and istiod health. Managed by istio-lab; changes made in Grafana are replaced on the next pulumi up.",
            Tags = ["istio", "istio-lab", "aks-store-demo"],
            SchemaVersion = SchemaVersion,
            Refresh = "30s",
            Editable = false,
            Time = new GrafanaTimeRange { From = "now-1h", To = "now" },
            Templating = new GrafanaTemplating
            {
                List = [new GrafanaVariable { Name = DatasourceVariable, Label = "Data source", Type = "datasource", Query = "prometheus" }],
            },
            Panels = panels,
        };
    }

    /// <summary>The request body the publishing Job posts: the dashboard, replacing the lab's earlier version.</summary>
    public static string RequestJson(LabSettings settings) => JsonSerializer.Serialize(
        new GrafanaDashboardRequest { Dashboard = Build(settings), Overwrite = true, Message = "published by istio-lab" }, Json);

    /// <summary>Reads a request body back, refusing any field the model does not declare.</summary>
    public static GrafanaDashboardRequest LoadRequest(string json) =>
        JsonSerializer.Deserialize<GrafanaDashboardRequest>(json, StrictJson) ?? throw new JsonException("empty dashboard request");
}
