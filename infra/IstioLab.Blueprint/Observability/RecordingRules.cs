namespace IstioLab.Blueprint.Observability;

/// <summary>One Prometheus recording rule: the series it records, the PromQL that computes it, and labels it adds.</summary>
public sealed record RecordingRule(string Record, string Expression, IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>
/// The recording rules that Managed Grafana's built-in Kubernetes dashboards and the portal's views read, as the
/// managed-Prometheus add-on expects them in three rule groups (node, Kubernetes, UX) scoped to the workspace and the
/// cluster: Microsoft's current Linux set, rule for rule. Source: Azure/prometheus-collector
/// AddonBicepTemplate/FullAzureMonitorMetricsProfile.bicep (the nodeRecordingRuleGroup, kubernetesRecordingRuleGroup
/// and uxRecordingRulesRuleGroupObj resources; the Windows groups are left out, the lab has no Windows nodes). Each
/// expression only reads metrics the add-on scrapes by default (node-exporter, cAdvisor, kube-state-metrics).
/// </summary>
public static class RecordingRules
{
    public const string Interval = "PT1M";

    /// <summary>The label that tells the four <c>namespace_workload_pod:kube_pod_owner:relabel</c> rules apart.</summary>
    public const string WorkloadTypeLabel = "workload_type";

    public static IReadOnlyList<RecordingRule> Node { get; } =
    [
        new("instance:node_num_cpu:sum", """count without (cpu, mode) (node_cpu_seconds_total{job="node",mode="idle"})"""),
        new("instance:node_cpu_utilisation:rate5m", """1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{job="node", mode=~"idle|iowait|steal"}[5m])))"""),
        new("instance:node_load1_per_cpu:ratio", """(node_load1{job="node"} / instance:node_num_cpu:sum{job="node"})"""),
        new("instance:node_memory_utilisation:ratio", """1 - ((node_memory_MemAvailable_bytes{job="node"} or (node_memory_Buffers_bytes{job="node"} + node_memory_Cached_bytes{job="node"} + node_memory_MemFree_bytes{job="node"} + node_memory_Slab_bytes{job="node"})) / node_memory_MemTotal_bytes{job="node"})"""),
        new("instance:node_vmstat_pgmajfault:rate5m", """rate(node_vmstat_pgmajfault{job="node"}[5m])"""),
        new("instance_device:node_disk_io_time_seconds:rate5m", """rate(node_disk_io_time_seconds_total{job="node", device!=""}[5m])"""),
        new("instance_device:node_disk_io_time_weighted_seconds:rate5m", """rate(node_disk_io_time_weighted_seconds_total{job="node", device!=""}[5m])"""),
        new("instance:node_network_receive_bytes_excluding_lo:rate5m", """sum without (device) (rate(node_network_receive_bytes_total{job="node", device!="lo"}[5m]))"""),
        new("instance:node_network_transmit_bytes_excluding_lo:rate5m", """sum without (device) (rate(node_network_transmit_bytes_total{job="node", device!="lo"}[5m]))"""),
        new("instance:node_network_receive_drop_excluding_lo:rate5m", """sum without (device) (rate(node_network_receive_drop_total{job="node", device!="lo"}[5m]))"""),
        new("instance:node_network_transmit_drop_excluding_lo:rate5m", """sum without (device) (rate(node_network_transmit_drop_total{job="node", device!="lo"}[5m]))"""),
    ];

    public static IReadOnlyList<RecordingRule> Kubernetes { get; } =
    [
        new("node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate", """sum by (cluster, namespace, pod, container) (irate(container_cpu_usage_seconds_total{job="cadvisor", image!=""}[5m])) * on (cluster, namespace, pod) group_left(node) topk by (cluster, namespace, pod) (1, max by (cluster, namespace, pod, node) (kube_pod_info{node!=""}))"""),
        new("node_namespace_pod_container:container_memory_working_set_bytes", """container_memory_working_set_bytes{job="cadvisor", image!=""} * on (namespace, pod) group_left(node) topk by (namespace, pod) (1, max by (namespace, pod, node) (kube_pod_info{node!=""}))"""),
        new("node_namespace_pod_container:container_memory_rss", """container_memory_rss{job="cadvisor", image!=""} * on (namespace, pod) group_left(node) topk by (namespace, pod) (1, max by (namespace, pod, node) (kube_pod_info{node!=""}))"""),
        new("node_namespace_pod_container:container_memory_cache", """container_memory_cache{job="cadvisor", image!=""} * on (namespace, pod) group_left(node) topk by (namespace, pod) (1, max by (namespace, pod, node) (kube_pod_info{node!=""}))"""),
        new("node_namespace_pod_container:container_memory_swap", """container_memory_swap{job="cadvisor", image!=""} * on (namespace, pod) group_left(node) topk by (namespace, pod) (1, max by (namespace, pod, node) (kube_pod_info{node!=""}))"""),
        new("cluster:namespace:pod_memory:active:kube_pod_container_resource_requests", """kube_pod_container_resource_requests{resource="memory",job="kube-state-metrics"} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))"""),
        new("namespace_memory:kube_pod_container_resource_requests:sum", """sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, cluster) (kube_pod_container_resource_requests{resource="memory",job="kube-state-metrics"}) * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)))"""),
        new("cluster:namespace:pod_cpu:active:kube_pod_container_resource_requests", """kube_pod_container_resource_requests{resource="cpu",job="kube-state-metrics"} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))"""),
        new("namespace_cpu:kube_pod_container_resource_requests:sum", """sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, cluster) (kube_pod_container_resource_requests{resource="cpu",job="kube-state-metrics"}) * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)))"""),
        new("cluster:namespace:pod_memory:active:kube_pod_container_resource_limits", """kube_pod_container_resource_limits{resource="memory",job="kube-state-metrics"} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))"""),
        new("namespace_memory:kube_pod_container_resource_limits:sum", """sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, cluster) (kube_pod_container_resource_limits{resource="memory",job="kube-state-metrics"}) * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)))"""),
        new("cluster:namespace:pod_cpu:active:kube_pod_container_resource_limits", """kube_pod_container_resource_limits{resource="cpu",job="kube-state-metrics"} * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))"""),
        new("namespace_cpu:kube_pod_container_resource_limits:sum", """sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, cluster) (kube_pod_container_resource_limits{resource="cpu",job="kube-state-metrics"}) * on (namespace, pod, cluster) group_left() max by (namespace, pod, cluster) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)))"""),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)") * on (replicaset, namespace) group_left(owner_name) topk by (replicaset, namespace) (1, max by (replicaset, namespace, owner_name) (kube_replicaset_owner{job="kube-state-metrics"})), "workload", "$1", "owner_name", "(.*)"))""", WorkloadType("deployment")),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="DaemonSet"}, "workload", "$1", "owner_name", "(.*)"))""", WorkloadType("daemonset")),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="StatefulSet"}, "workload", "$1", "owner_name", "(.*)"))""", WorkloadType("statefulset")),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="Job"}, "workload", "$1", "owner_name", "(.*)"))""", WorkloadType("job")),
        new(":node_memory_MemAvailable_bytes:sum", """sum( node_memory_MemAvailable_bytes{job="node"} or ( node_memory_Buffers_bytes{job="node"} + node_memory_Cached_bytes{job="node"} + node_memory_MemFree_bytes{job="node"} + node_memory_Slab_bytes{job="node"} )) by (cluster)"""),
        new("cluster:node_cpu:ratio_rate5m", """sum(rate(node_cpu_seconds_total{job="node",mode!="idle",mode!="iowait",mode!="steal"}[5m])) by (cluster) /count(sum(node_cpu_seconds_total{job="node"}) by (cluster, instance, cpu)) by (cluster)"""),
    ];

    /// <summary>The UX group, which the Azure portal's Kubernetes views read.</summary>
    public static IReadOnlyList<RecordingRule> Ux { get; } =
    [
        new("ux:pod_cpu_usage:sum_irate", """(sum by (namespace, pod, cluster, microsoft_resourceid) ( irate(container_cpu_usage_seconds_total{container != "", pod != "", job = "cadvisor"}[5m]) )) * on (pod, namespace, cluster, microsoft_resourceid) group_left (node, created_by_name, created_by_kind) (max by (node, created_by_name, created_by_kind, pod, namespace, cluster, microsoft_resourceid) (kube_pod_info{pod != "", job = "kube-state-metrics"}))"""),
        new("ux:controller_cpu_usage:sum_irate", """sum by (namespace, node, cluster, created_by_name, created_by_kind, microsoft_resourceid) ( ux:pod_cpu_usage:sum_irate )"""),
        new("ux:pod_workingset_memory:sum", """( sum by (namespace, pod, cluster, microsoft_resourceid) ( container_memory_working_set_bytes{container != "", pod != "", job = "cadvisor"} ) ) * on (pod, namespace, cluster, microsoft_resourceid) group_left (node, created_by_name, created_by_kind) (max by (node, created_by_name, created_by_kind, pod, namespace, cluster, microsoft_resourceid) (kube_pod_info{pod != "", job = "kube-state-metrics"}))"""),
        new("ux:controller_workingset_memory:sum", """sum by (namespace, node, cluster, created_by_name, created_by_kind, microsoft_resourceid) ( ux:pod_workingset_memory:sum )"""),
        new("ux:pod_rss_memory:sum", """( sum by (namespace, pod, cluster, microsoft_resourceid) ( container_memory_rss{container != "", pod != "", job = "cadvisor"} ) ) * on (pod, namespace, cluster, microsoft_resourceid) group_left (node, created_by_name, created_by_kind) (max by (node, created_by_name, created_by_kind, pod, namespace, cluster, microsoft_resourceid) (kube_pod_info{pod != "", job = "kube-state-metrics"}))"""),
        new("ux:controller_rss_memory:sum", """sum by (namespace, node, cluster, created_by_name, created_by_kind, microsoft_resourceid) ( ux:pod_rss_memory:sum )"""),
        new("ux:pod_container_count:sum", """sum by (node, created_by_name, created_by_kind, namespace, cluster, pod, microsoft_resourceid) ( (( sum by (container, pod, namespace, cluster, microsoft_resourceid) (kube_pod_container_info{container != "", pod != "", container_id != "", job = "kube-state-metrics"}) or sum by (container, pod, namespace, cluster, microsoft_resourceid) (kube_pod_init_container_info{container != "", pod != "", container_id != "", job = "kube-state-metrics"}) ) * on (pod, namespace, cluster, microsoft_resourceid) group_left (node, created_by_name, created_by_kind) ( max by (node, created_by_name, created_by_kind, pod, namespace, cluster, microsoft_resourceid) ( kube_pod_info{pod != "", job = "kube-state-metrics"} ) ) ) )"""),
        new("ux:controller_container_count:sum", """sum by (node, created_by_name, created_by_kind, namespace, cluster, microsoft_resourceid) ( ux:pod_container_count:sum )"""),
        new("ux:pod_container_restarts:max", """max by (node, created_by_name, created_by_kind, namespace, cluster, pod, microsoft_resourceid) ( (( max by (container, pod, namespace, cluster, microsoft_resourceid) (kube_pod_container_status_restarts_total{container != "", pod != "", job = "kube-state-metrics"}) or sum by (container, pod, namespace, cluster, microsoft_resourceid) (kube_pod_init_status_restarts_total{container != "", pod != "", job = "kube-state-metrics"}) ) * on (pod, namespace, cluster, microsoft_resourceid) group_left (node, created_by_name, created_by_kind) ( max by (node, created_by_name, created_by_kind, pod, namespace, cluster, microsoft_resourceid) ( kube_pod_info{pod != "", job = "kube-state-metrics"} ) ) ) )"""),
        new("ux:controller_container_restarts:max", """max by (node, created_by_name, created_by_kind, namespace, cluster, microsoft_resourceid) ( ux:pod_container_restarts:max )"""),
        new("ux:pod_resource_limit:sum", """(sum by (cluster, pod, namespace, resource, microsoft_resourceid) ( ( max by (cluster, microsoft_resourceid, pod, container, namespace, resource) (kube_pod_container_resource_limits{container != "", pod != "", job = "kube-state-metrics"}) ) )unless (count by (pod, namespace, cluster, resource, microsoft_resourceid) (kube_pod_container_resource_limits{container != "", pod != "", job = "kube-state-metrics"}) != on (pod, namespace, cluster, microsoft_resourceid) group_left() sum by (pod, namespace, cluster, microsoft_resourceid) (kube_pod_container_info{container != "", pod != "", job = "kube-state-metrics"}) ) )* on (namespace, pod, cluster, microsoft_resourceid) group_left (node, created_by_kind, created_by_name) ( kube_pod_info{pod != "", job = "kube-state-metrics"} )"""),
        new("ux:controller_resource_limit:sum", """sum by (cluster, namespace, created_by_name, created_by_kind, node, resource, microsoft_resourceid) ( ux:pod_resource_limit:sum )"""),
        new("ux:controller_pod_phase_count:sum", """sum by (cluster, phase, node, created_by_kind, created_by_name, namespace, microsoft_resourceid) ( ( (kube_pod_status_phase{job="kube-state-metrics",pod!=""}) or (label_replace((count(kube_pod_deletion_timestamp{job="kube-state-metrics",pod!=""}) by (namespace, pod, cluster, microsoft_resourceid) * count(kube_pod_status_reason{reason="NodeLost", job="kube-state-metrics"} == 0) by (namespace, pod, cluster, microsoft_resourceid)), "phase", "terminating", "", ""))) * on (pod, namespace, cluster, microsoft_resourceid) group_left (node, created_by_name, created_by_kind) ( max by (node, created_by_name, created_by_kind, pod, namespace, cluster, microsoft_resourceid) ( kube_pod_info{job="kube-state-metrics",pod!=""} ) ) )"""),
        new("ux:cluster_pod_phase_count:sum", """sum by (cluster, phase, node, namespace, microsoft_resourceid) ( ux:controller_pod_phase_count:sum )"""),
        new("ux:node_cpu_usage:sum_irate", """sum by (instance, cluster, microsoft_resourceid) ( (1 - irate(node_cpu_seconds_total{job="node", mode="idle"}[5m])) )"""),
        new("ux:node_memory_usage:sum", """sum by (instance, cluster, microsoft_resourceid) (( node_memory_MemTotal_bytes{job = "node"} - node_memory_MemFree_bytes{job = "node"} - node_memory_cached_bytes{job = "node"} - node_memory_buffers_bytes{job = "node"} ))"""),
        new("ux:node_network_receive_drop_total:sum_irate", """sum by (instance, cluster, microsoft_resourceid) (irate(node_network_receive_drop_total{job="node", device!="lo"}[5m]))"""),
        new("ux:node_network_transmit_drop_total:sum_irate", """sum by (instance, cluster, microsoft_resourceid) (irate(node_network_transmit_drop_total{job="node", device!="lo"}[5m]))"""),
    ];

    private static Dictionary<string, string> WorkloadType(string type) => new() { [WorkloadTypeLabel] = type };
}
