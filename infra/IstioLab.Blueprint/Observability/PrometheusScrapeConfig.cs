using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace IstioLab.Blueprint.Observability;

// The part of Prometheus's configuration the lab writes, typed; the names serialize in Prometheus's snake_case.

public sealed class PrometheusConfig
{
    public List<ScrapeConfig> ScrapeConfigs { get; set; } = [];
}

public sealed class ScrapeConfig
{
    public string JobName { get; set; } = "";
    public string? ScrapeInterval { get; set; }
    public string? MetricsPath { get; set; }
    public List<KubernetesSdConfig> KubernetesSdConfigs { get; set; } = [];
    public List<RelabelConfig> RelabelConfigs { get; set; } = [];
}

public sealed class KubernetesSdConfig
{
    public string Role { get; set; } = "";
    public NamespaceDiscovery? Namespaces { get; set; }
}

public sealed class NamespaceDiscovery
{
    public List<string> Names { get; set; } = [];
}

public sealed class RelabelConfig
{
    public List<string>? SourceLabels { get; set; }
    public string? Separator { get; set; }
    public string? Regex { get; set; }
    public string? TargetLabel { get; set; }
    public string? Replacement { get; set; }
    public string? Action { get; set; }
}

/// <summary>
/// Managed Prometheus scrapes nothing of Istio by default. This is its custom scrape config
/// (<c>ama-metrics-prometheus-config</c> in <c>kube-system</c>): istiod's own metrics on 15014, and the merged Envoy
/// and app metrics that every sidecar and gateway serves on 15020 <c>/stats/prometheus</c>, discovered per pod
/// (not per endpoint, which scrapes multi-port pods twice) in the namespaces that matter, keeping the
/// <c>namespace</c>, <c>pod</c>, <c>app</c> and workload labels that dashboards and Kiali group by.
/// </summary>
public static class PrometheusScrapeConfig
{
    public const string ConfigMapName = "ama-metrics-prometheus-config";
    public const string ConfigMapNamespace = "kube-system";
    public const string DataKey = "prometheus-config";

    public const string IstiodJob = "istiod";
    public const string ProxiesJob = "istio-proxies";
    public const int IstiodMetricsPort = 15014;
    public const int ProxyMetricsPort = 15020;
    public const string ProxyMetricsPath = "/stats/prometheus";

    /// <summary>The namespaces scraped for proxies: the add-on's control plane and gateways, and the store.</summary>
    public static IReadOnlyList<string> ProxyNamespaces(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [SharedMeshConfig.Namespace, MeshManifest.IngressNamespace, settings.AppNamespace];
    }

    public static PrometheusConfig Config(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PrometheusConfig
        {
            ScrapeConfigs =
            [
                new ScrapeConfig
                {
                    JobName = IstiodJob,
                    ScrapeInterval = "30s",
                    MetricsPath = "/metrics",
                    KubernetesSdConfigs = [Pods([SharedMeshConfig.Namespace])],
                    RelabelConfigs =
                    [
                        Keep("__meta_kubernetes_pod_label_app", "istiod"),
                        Keep("__meta_kubernetes_pod_container_port_number", IstiodMetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        .. CommonLabels,
                        Copy("__meta_kubernetes_pod_label_istio_io_rev", "revision"),
                    ],
                },
                new ScrapeConfig
                {
                    JobName = ProxiesJob,
                    ScrapeInterval = "30s",
                    MetricsPath = ProxyMetricsPath,
                    KubernetesSdConfigs = [Pods(ProxyNamespaces(settings))],
                    RelabelConfigs =
                    [
                        // One target per pod: the proxy container (a sidecar, a native sidecar or a gateway).
                        Keep("__meta_kubernetes_pod_container_name", "istio-proxy"),
                        Keep("__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"),
                        new RelabelConfig
                        {
                            SourceLabels = ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                            Separator = ";",
                            Regex = @"([^:]+)(?::\d+)?;(\d+)",
                            Replacement = "$1:$2",
                            TargetLabel = "__address__",
                            Action = "replace",
                        },
                        new RelabelConfig
                        {
                            SourceLabels = ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                            Regex = "(.+)",
                            TargetLabel = "__metrics_path__",
                            Action = "replace",
                        },
                        .. CommonLabels,
                        Copy("__meta_kubernetes_pod_label_service_istio_io_canonical_name", "workload"),
                        Copy("__meta_kubernetes_pod_label_istio_io_rev", "revision"),
                    ],
                },
            ],
        };
    }

    /// <summary>The ConfigMap the add-on's <c>ama-metrics</c> pods read.</summary>
    public static V1ConfigMap ConfigMap(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Kube.Meta(ConfigMapName, ConfigMapNamespace, new Dictionary<string, string>
            {
                ["app.kubernetes.io/part-of"] = Kube.ManagedBy,
                ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
            }),
            Data = new Dictionary<string, string> { [DataKey] = Serialize(Config(settings)) },
        };
    }

    public static string Serialize(PrometheusConfig config) => new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build()
        .Serialize(config);

    /// <summary>Reads a scrape config back, refusing any field this model does not declare.</summary>
    public static PrometheusConfig Load(string yaml) => new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build()
        .Deserialize<PrometheusConfig>(yaml);

    private static IEnumerable<RelabelConfig> CommonLabels =>
    [
        Copy("__meta_kubernetes_namespace", "namespace"),
        Copy("__meta_kubernetes_pod_name", "pod"),
        Copy("__meta_kubernetes_pod_label_app", "app"),
    ];

    private static KubernetesSdConfig Pods(IEnumerable<string> namespaces) =>
        new() { Role = "pod", Namespaces = new NamespaceDiscovery { Names = [.. namespaces] } };

    private static RelabelConfig Keep(string label, string regex) =>
        new() { SourceLabels = [label], Regex = regex, Action = "keep" };

    private static RelabelConfig Copy(string from, string to) =>
        new() { SourceLabels = [from], TargetLabel = to, Action = "replace" };
}
