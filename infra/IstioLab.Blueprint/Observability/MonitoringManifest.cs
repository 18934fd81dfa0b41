using System.Globalization;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Observability;

/// <summary>What the monitoring objects need that only Azure knows, once the identities, workspace and Grafana exist.</summary>
/// <param name="MetricsReaderClientId">Client id of the identity the metrics proxy signs in as.</param>
/// <param name="QueryEndpoint">The workspace's PromQL endpoint (<c>https://…prometheus.monitor.azure.com</c>).</param>
/// <param name="DashboardPublisherClientId">Client id of the identity the dashboard Job signs in to Grafana as.</param>
/// <param name="GrafanaEndpoint">Managed Grafana's URL.</param>
public sealed record MonitoringFacts(string MetricsReaderClientId, string QueryEndpoint, string DashboardPublisherClientId, string GrafanaEndpoint)
{
    /// <summary>What the render command shows for each.</summary>
    public static MonitoringFacts Placeholders { get; } = new(
        "00000000-0000-0000-0000-00000000000a", "https://query-endpoint-known-at-deploy-time.invalid",
        "00000000-0000-0000-0000-00000000000b", "https://grafana-endpoint-known-at-deploy-time.invalid");
}

/// <summary>
/// The in-cluster half of observability, in its own namespace outside the mesh: the Azure Monitor auth proxy,
/// which signs in with workload identity and lets Kiali and the metrics check speak plain PromQL to the
/// workspace; and the Job that publishes the store's dashboard into Managed Grafana with a token of its own
/// identity. No client secret exists anywhere: both identities are federated with their service accounts.
/// </summary>
public static class MonitoringManifest
{
    public const string Namespace = "istio-lab-monitoring";

    public const string ProxyName = "aad-auth-proxy";
    public const string ProxyImage = "mcr.microsoft.com/azuremonitor/auth-proxy/prod/aad-auth-proxy/images/aad-auth-proxy:0.1.0-main-04-10-2024-7067ac84";
    public const int ProxyPort = 8082;
    public const string PrometheusAudience = "https://prometheus.monitor.azure.com/.default";

    public const string PublisherName = "dashboard-publisher";
    public const string DashboardConfigMap = "store-mesh-dashboard";
    public const string DashboardFile = "dashboard.json";

    /// <summary>The Azure Managed Grafana application, whose tokens Grafana's API accepts.</summary>
    public const string GrafanaScope = "ce34e7e5-485f-4d76-964f-b3d2b16d1e4f/.default";

    /// <summary>Workload identity: the service account's annotation, and the pod label the webhook acts on.</summary>
    public const string ClientIdAnnotation = "azure.workload.identity/client-id";
    public const string UseWorkloadIdentityLabel = "azure.workload.identity/use";

    /// <summary>Who the federated credentials trust: <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>.</summary>
    public static string ProxySubject => $"system:serviceaccount:{Namespace}:{ProxyName}";

    public static string PublisherSubject => $"system:serviceaccount:{Namespace}:{PublisherName}";

    public const string FederatedAudience = "api://AzureADTokenExchange";

    /// <summary>The proxy's in-cluster URL: Kiali's Prometheus and the metrics check's endpoint.</summary>
    public static string ProxyUrl => $"http://{ProxyName}.{Namespace}.svc.cluster.local:{ProxyPort.ToString(CultureInfo.InvariantCulture)}";

    public const int PublishAttempts = 20;
    public const int PublishIntervalSeconds = 10;
    public const int PublishRequestTimeoutSeconds = 10;

    /// <summary>
    /// Above <see cref="PublishAttempts"/> × (<see cref="PublishIntervalSeconds"/> + two requests of
    /// <see cref="PublishRequestTimeoutSeconds"/>), so the script's own message ends a failure.
    /// </summary>
    public const long PublishDeadlineSeconds = 660;

    /// <summary>
    /// Exchanges the pod's projected service-account token for an Entra token for Managed Grafana, then posts the
    /// dashboard. A 401 or 403 is retried: role assignments take minutes to propagate.
    /// </summary>
    public const string PublishScript = """
        i=1; code=""; token=""
        for v in AZURE_CLIENT_ID AZURE_TENANT_ID AZURE_FEDERATED_TOKEN_FILE AZURE_AUTHORITY_HOST; do
          eval "value=\${$v:-}"
          if [ -z "$value" ]; then echo "FAIL dashboard: $v is not set: the workload identity webhook did not act on this pod (is workload identity enabled on the cluster?)"; exit 1; fi
        done
        while [ "$i" -le "$ATTEMPTS" ]; do
          reply=$(curl -s --max-time "$TIMEOUT_SECONDS" -X POST "${AZURE_AUTHORITY_HOST%/}/$AZURE_TENANT_ID/oauth2/v2.0/token" \
            --data-urlencode "client_id=$AZURE_CLIENT_ID" --data-urlencode "scope=$GRAFANA_SCOPE" \
            --data-urlencode "grant_type=client_credentials" \
            --data-urlencode "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer" \
            --data-urlencode "client_assertion=$(cat "$AZURE_FEDERATED_TOKEN_FILE")")
          token=$(printf '%s' "$reply" | tr -d ' \n' | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
          if [ -n "$token" ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" -X POST "$GRAFANA_URL/api/dashboards/db" \
              -H "Authorization: Bearer $token" -H "Content-Type: application/json" --data-binary "@$DASHBOARD_FILE")
            if [ "$code" = "200" ]; then echo "OK dashboard: published '$DASHBOARD_UID' to $GRAFANA_URL/d/$DASHBOARD_UID"; exit 0; fi
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        if [ -z "$token" ]; then echo "FAIL dashboard: after $ATTEMPTS attempts Entra ID gave no token for $GRAFANA_SCOPE (is the federated credential for $SUBJECT in place?)"; exit 1; fi
        echo "FAIL dashboard: after $ATTEMPTS attempts Grafana answered HTTP '$code' to POST /api/dashboards/db; 401/403 means the Grafana Editor role has not reached the publisher's identity yet"
        exit 1
        """;

    /// <summary>Every monitoring object in the cluster, in the order they must exist; the scrape config first.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, MonitoringFacts facts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(facts);
        return
        [
            PrometheusScrapeConfig.ConfigMap(settings),
            new V1Namespace
            {
                ApiVersion = "v1",
                Kind = "Namespace",
                Metadata = Kube.Meta(Namespace, null, new Dictionary<string, string>
                {
                    ["istio-injection"] = "disabled",
                    ["app.kubernetes.io/part-of"] = Kube.ManagedBy,
                    ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
                }),
            },
            IdentityServiceAccount(ProxyName, facts.MetricsReaderClientId),
            ProxyDeployment(facts),
            ProxyService(),
            IdentityServiceAccount(PublisherName, facts.DashboardPublisherClientId),
            DashboardRequest(settings),
            PublishJob(settings, facts),
        ];
    }

    public static V1ServiceAccount IdentityServiceAccount(string name, string clientId) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = Namespace,
            Labels = Labels(name),
            Annotations = new Dictionary<string, string> { [ClientIdAnnotation] = clientId },
        },
        AutomountServiceAccountToken = false,
    };

    public static V1Deployment ProxyDeployment(MonitoringFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var podLabels = new Dictionary<string, string>(Labels(ProxyName)) { [UseWorkloadIdentityLabel] = "true" };
        V1Probe Probe(string path, int period) => new()
        {
            HttpGet = new V1HTTPGetAction { Path = path, Port = ProxyPort },
            InitialDelaySeconds = 5,
            PeriodSeconds = period,
            FailureThreshold = 3,
            TimeoutSeconds = 5,
        };

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Kube.Meta(ProxyName, Namespace, Labels(ProxyName)),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = Kube.Selector(ProxyName) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = podLabels },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = ProxyName,
                        // The workload identity webhook projects its own token; the Kubernetes API token is not needed.
                        AutomountServiceAccountToken = false,
                        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                        SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = ProxyName,
                                Image = ProxyImage,
                                Ports = [new V1ContainerPort { Name = "http", ContainerPort = ProxyPort, Protocol = "TCP" }],
                                Env =
                                [
                                    new V1EnvVar { Name = "AUDIENCE", Value = PrometheusAudience },
                                    new V1EnvVar { Name = "TARGET_HOST", Value = facts.QueryEndpoint },
                                    new V1EnvVar { Name = "LISTENING_PORT", Value = ProxyPort.ToString(CultureInfo.InvariantCulture) },
                                ],
                                Resources = StoreCatalog.Resources(new Compute("10m", "32Mi"), new Compute("200m", "128Mi")),
                                ReadinessProbe = Probe("/ready", 10),
                                LivenessProbe = Probe("/health", 20),
                                SecurityContext = Kube.Restricted(65532),
                            },
                        ],
                    },
                },
            },
        };
    }

    public static V1Service ProxyService() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Kube.Meta(ProxyName, Namespace, Labels(ProxyName)),
        Spec = new V1ServiceSpec
        {
            // Inside the cluster only: nothing is public but the ingress gateway.
            Type = "ClusterIP",
            Selector = Kube.Selector(ProxyName),
            Ports = [new V1ServicePort { Name = "http", Port = ProxyPort, TargetPort = ProxyPort, Protocol = "TCP", AppProtocol = "http" }],
        },
    };

    public static V1ConfigMap DashboardRequest(LabSettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Kube.Meta(DashboardConfigMap, Namespace, Labels(PublisherName)),
        Data = new Dictionary<string, string> { [DashboardFile] = MeshDashboard.RequestJson(settings) },
    };

    /// <summary>The publishing Job; its name carries a hash of the dashboard and the Grafana it goes to, so a change publishes again.</summary>
    public static V1Job PublishJob(LabSettings settings, MonitoringFacts facts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(facts);
        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
        var job = ScriptJob.Build(new ScriptJobSpec(PublisherName, Namespace, Labels(PublisherName), "publish", PublishScript,
        [
            new V1EnvVar { Name = "GRAFANA_URL", Value = facts.GrafanaEndpoint.TrimEnd('/') },
            new V1EnvVar { Name = "GRAFANA_SCOPE", Value = GrafanaScope },
            new V1EnvVar { Name = "DASHBOARD_FILE", Value = $"/dashboard/{DashboardFile}" },
            new V1EnvVar { Name = "DASHBOARD_UID", Value = MeshDashboard.Uid },
            new V1EnvVar { Name = "SUBJECT", Value = PublisherSubject },
            new V1EnvVar { Name = "ATTEMPTS", Value = Text(PublishAttempts) },
            new V1EnvVar { Name = "INTERVAL_SECONDS", Value = Text(PublishIntervalSeconds) },
            new V1EnvVar { Name = "TIMEOUT_SECONDS", Value = Text(PublishRequestTimeoutSeconds) },
        ])
        {
            ExtraPodLabels = new Dictionary<string, string> { [UseWorkloadIdentityLabel] = "true" },
            ServiceAccount = PublisherName,
            BackoffLimit = 0,
            ActiveDeadlineSeconds = PublishDeadlineSeconds,
        });
        // The provider waits for the Job longer than the Job may run.
        job.Metadata.Annotations[ObservabilityChecks.ProviderTimeoutAnnotation] = Text(PublishDeadlineSeconds + 60);
        var pod = job.Spec.Template.Spec;
        pod.Volumes = [new V1Volume { Name = "dashboard", ConfigMap = new V1ConfigMapVolumeSource { Name = DashboardConfigMap } }];
        pod.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "dashboard", MountPath = "/dashboard", ReadOnlyProperty = true }];
        job.Metadata.Name = $"{PublisherName}-{WorkshopChecks.ShortHash(KubernetesYaml.SerializeAll([DashboardRequest(settings), job]))}";
        return job;
    }

    private static Dictionary<string, string> Labels(string name) => Kube.Labels(name, "observability", "1", partOf: Kube.ManagedBy);
}
