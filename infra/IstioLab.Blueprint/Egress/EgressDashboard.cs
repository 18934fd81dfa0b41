using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Egress;

/// <summary>
/// The mesh dashboard's panel on what the store calls outside the cluster, by destination, from the store's own sidecars
/// (reporter <c>source</c>): listed hosts by their name, blocked calls as <c>BlackHoleCluster</c>, and calls to unlisted
/// hosts let through as <c>PassthroughCluster</c> (only while egress is open). The metrics (istio.io blog "Monitoring
/// blocked and passthrough external service traffic", 2019; istio/istio issues 21566 and 45117 for telemetry v2):
/// <list type="bullet">
/// <item>an HTTP call counts in <c>istio_requests_total</c>, with <c>destination_service_name</c> BlackHoleCluster
/// or PassthroughCluster and <c>destination_service</c> the Host it asked for (a blocked one answered 502);</item>
/// <item>a TLS call, which the sidecar passes through without decrypting, counts as a TCP connection, with
/// <c>destination_service</c> <c>unknown</c> when blocked. It counts in <c>istio_tcp_connections_closed_total</c>: the blog
/// says a blocked connection never counts as opened, and every connection, allowed or not, counts as closed when it ends.</item>
/// </list>
/// Calls to the cluster's own Services (<c>*.svc.cluster.local</c>) are left out.
/// </summary>
public static class EgressDashboard
{
    public const string Title = "Outbound traffic to external hosts";

    /// <summary>The label filter: what the store's sidecars sent to anything but the cluster's own Services.</summary>
    public static string Filter(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"""reporter="source", source_workload_namespace="{settings.AppNamespace}", destination_service!~".*[.]svc[.]{LabSettings.ClusterDomain.Replace(".", "[.]", StringComparison.Ordinal)}" """.TrimEnd();
    }

    /// <summary>HTTP requests per second to external hosts, by destination.</summary>
    public static string RequestsQuery(LabSettings settings) =>
        $"sum by (destination_service_name, destination_service) (rate(istio_requests_total{{{Filter(settings)}}}[5m]))";

    /// <summary>TLS and other TCP connections per second to external hosts, by destination.</summary>
    public static string ConnectionsQuery(LabSettings settings) =>
        $"sum by (destination_service_name, destination_service) (rate(istio_tcp_connections_closed_total{{{Filter(settings)}}}[5m]))";

    /// <summary>The panel, with the egress allow-list only: with <c>open</c> the dashboard stays as it was.</summary>
    public static IReadOnlyList<PanelSpec> Panels(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Egress == EgressMode.Open
            ? []
            :
            [
                new(Title,
                    "Calls from the store's sidecars to hosts outside the cluster, per second: a listed host by its name; BlackHoleCluster is a blocked call (HTTP answered 502, TLS cut), PassthroughCluster a call let through to an unlisted host (only while istio-lab:egress is open). TLS counts as connections, without the host name when blocked.",
                    "timeseries", "ops",
                    [
                        ("HTTP {{destination_service_name}} {{destination_service}}", RequestsQuery(settings)),
                        ("TLS/TCP {{destination_service_name}} {{destination_service}}", ConnectionsQuery(settings)),
                    ]),
            ];
    }
}
