namespace IstioLab.Blueprint.Observability;

/// <summary>One Prometheus recording rule: the series it records and the PromQL that computes it.</summary>
public sealed record RecordingRule(string Record, string Expression);

/// <summary>
/// The recording rules that Managed Grafana's built-in Kubernetes dashboards read, as the managed-Prometheus add-on
/// expects them in two rule groups scoped to the workspace and the cluster. Written here as data; each rule's series
/// name says what it aggregates, and its expression only reads metrics the add-on scrapes by default (node-exporter,
/// cAdvisor, kube-state-metrics).
/// </summary>
public static class RecordingRules
{
    public const string Interval = "PT1M";

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
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)") * on (replicaset, namespace) group_left(owner_name) topk by (replicaset, namespace) (1, max by (replicaset, namespace, owner_name) (kube_replicaset_owner{job="kube-state-metrics"})), "workload", "$1", "owner_name", "(.*)"))"""),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="StatefulSet"}, "workload", "$1", "owner_name", "(.*)"))"""),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="DaemonSet"}, "workload", "$1", "owner_name", "(.*)"))"""),
        new("namespace_workload_pod:kube_pod_owner:relabel", """max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{job="kube-state-metrics", owner_kind="Job"}, "workload", "$1", "owner_name", "(.*)"))"""),
    ];
}
