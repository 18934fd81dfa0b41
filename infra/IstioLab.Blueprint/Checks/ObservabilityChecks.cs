using System.Globalization;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Checks;

/// <summary>
/// The two checks that prove the mesh can be watched: <c>metrics</c> (the store's traffic reached the workspace)
/// after <c>gateway</c>, whose requests it looks for, and <c>kiali</c> (Kiali draws that traffic) after
/// <c>metrics</c>. Both run outside the mesh and wait longer than the others: ingestion takes minutes.
/// </summary>
public static class ObservabilityChecks
{
    public static CheckDefinition Metrics { get; } = new("metrics", "the store's traffic reached the Azure Monitor workspace: istio_requests_total for store-front, read through the auth proxy, is above zero");
    public static CheckDefinition Kiali { get; } = new("kiali", "Kiali answers healthy and its graph of the store's namespace has an edge from the ingress gateway to store-front");

    public static IReadOnlyList<CheckDefinition> Definitions { get; } = [Metrics, Kiali];

    public const int Attempts = 40;
    public const int IntervalSeconds = 15;
    public const int RequestTimeoutSeconds = 10;

    /// <summary>Above <see cref="Attempts"/> × (<see cref="IntervalSeconds"/> + <see cref="RequestTimeoutSeconds"/>).</summary>
    public const long ActiveDeadlineSeconds = 1080;

    /// <summary>How long the provider waits for such a Job (its default is shorter than the deadline).</summary>
    public const string ProviderTimeoutAnnotation = "pulumi.com/timeoutSeconds";

    /// <summary>The service account the kiali check logs in with; bound to Kiali's read-only role only.</summary>
    public const string KialiCheckServiceAccount = "check-kiali";

    /// <summary>The PromQL the metrics check asks: every request store-front's sidecar has counted.</summary>
    public static string StoreFrontRequestsQuery(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $$"""sum(istio_requests_total{reporter="destination", destination_workload_namespace="{{settings.AppNamespace}}", destination_workload{{Traffic.TrafficManifest.StoreFrontWorkloadsMatcher(settings)}}})""";
    }

    /// <summary>
    /// Asks the workspace, through the proxy, for store-front's request count. A 401 or 403 (the role assignment not
    /// yet propagated), an empty result (not yet ingested) or zero is retried until the attempts run out.
    /// </summary>
    public const string MetricsScript = """
        i=1; rc=0; code=""; value=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          body=$(curl -s --max-time "$TIMEOUT_SECONDS" -G -w '\nHTTP_STATUS:%{http_code}' "$TARGET_URL/api/v1/query" --data-urlencode "query=$QUERY"); rc=$?
          code=${body##*HTTP_STATUS:}
          value=$(printf '%s' "$body" | tr -d ' \n' | sed -n 's/.*"result":\[{[^]]*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p')
          if [ "$rc" -eq 0 ] && [ "$code" = "200" ] && [ -n "$value" ] && [ "$value" != "0" ]; then
            echo "PASS metrics: the workspace counts $value requests to store-front (istio_requests_total, through $TARGET_URL)"; exit 0
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        case "$code" in
          401|403) hint="the proxy's identity cannot read the workspace yet (Monitoring Data Reader takes minutes to propagate)" ;;
          200) hint="no store traffic in the workspace: is the scrape config in kube-system/ama-metrics-prometheus-config picked up?" ;;
          *) hint="the proxy did not answer: kubectl logs -n istio-lab-monitoring deploy/aad-auth-proxy" ;;
        esac
        echo "FAIL metrics: after $ATTEMPTS attempts, curl exit $rc, HTTP '$code', value '$value': $hint"
        exit 1
        """;

    /// <summary>
    /// Logs in to Kiali with its own service account's token, then looks in the workload graph for an edge whose
    /// source is a node of the gateway's namespace and whose target is store-front. Each element of Kiali's graph
    /// JSON begins with <c>{"data":{"id":…</c>; splitting there gives one element a line.
    /// </summary>
    public const string KialiScript = """
        token=$(cat "$TOKEN_DIR/token"); i=1; health=""; auth=""; jar=/tmp/kiali-cookies
        while [ "$i" -le "$ATTEMPTS" ]; do
          health=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$TARGET_URL/healthz")
          if [ "$health" = "200" ]; then
            auth=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" -c "$jar" -X POST --data-urlencode "token=$token" "$TARGET_URL/api/authenticate")
            if [ "$auth" = "200" ]; then
              graph=$(curl -s --max-time "$TIMEOUT_SECONDS" -b "$jar" "$TARGET_URL/api/namespaces/graph?namespaces=$APP_NAMESPACE&graphType=workload&injectServiceNodes=false&duration=600s")
              elements=$(printf '%s' "$graph" | tr -d '\n' | sed 's/{"data":{/\n/g')
              gateways=$(printf '%s\n' "$elements" | grep -F "\"namespace\":\"$GATEWAY_NAMESPACE\"" | sed -n 's/^"id":"\([^"]*\)".*/\1/p')
              fronts=$(printf '%s\n' "$elements" | grep -F "\"namespace\":\"$APP_NAMESPACE\"" | grep -F "\"workload\":\"$TARGET_WORKLOAD\"" | sed -n 's/^"id":"\([^"]*\)".*/\1/p')
              for g in $gateways; do for f in $fronts; do
                if printf '%s\n' "$elements" | grep -F "\"source\":\"$g\"" | grep -qF "\"target\":\"$f\""; then
                  echo "PASS kiali: Kiali is healthy and its graph of $APP_NAMESPACE has the edge ingress gateway -> $TARGET_WORKLOAD"; exit 0
                fi
              done; done
            fi
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL kiali: after $ATTEMPTS attempts, healthz HTTP '$health', login HTTP '$auth', and no edge ingress gateway -> $TARGET_WORKLOAD in the graph of $APP_NAMESPACE (empty graph: is scraping on? login 401/403: is $SERVICE_ACCOUNT bound to kiali-viewer?)"
        exit 1
        """;

    /// <summary>The metrics and kiali Jobs, and the kiali check's service account and binding.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, V1Job gateway)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gateway);
        var metrics = MetricsJob(settings, gateway);
        return
        [
            new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = Kube.Meta(KialiCheckServiceAccount, settings.OutsideNamespace, Kube.Labels(KialiCheckServiceAccount, "check", "1", partOf: Kube.ManagedBy)),
                AutomountServiceAccountToken = false,
            },
            Observability.Kiali.ViewerBinding($"{KialiCheckServiceAccount}-{settings.AppNamespace}", KialiCheckServiceAccount, settings.OutsideNamespace),
            metrics,
            KialiJob(settings, metrics),
        ];
    }

    public static V1Job MetricsJob(LabSettings settings, V1Job gateway)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gateway);
        return WorkshopChecks.Job(Metrics, settings.OutsideNamespace, MetricsScript, MonitoringManifest.ProxyUrl, inMesh: false,
            verified: [PrometheusScrapeConfig.ConfigMap(settings), .. StoreManifest.Build(settings)], facts: [],
            extraEnv: [new V1EnvVar { Name = "QUERY", Value = StoreFrontRequestsQuery(settings) }],
            customize: job => Slow(job, after: gateway));
    }

    public static V1Job KialiJob(LabSettings settings, V1Job metrics)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        return WorkshopChecks.Job(Kiali, settings.OutsideNamespace, KialiScript, Observability.Kiali.Url, inMesh: false,
            verified: [Observability.Kiali.ValuesJson(null), .. StoreManifest.Build(settings)], facts: [],
            extraEnv:
            [
                new V1EnvVar { Name = "TOKEN_DIR", Value = IngressAddressWait.ServiceAccountTokenDirectory },
                new V1EnvVar { Name = "APP_NAMESPACE", Value = settings.AppNamespace },
                new V1EnvVar { Name = "GATEWAY_NAMESPACE", Value = MeshManifest.IngressNamespace },
                new V1EnvVar { Name = "TARGET_WORKLOAD", Value = Traffic.TrafficManifest.GatewayWorkload(settings) },
                new V1EnvVar { Name = "SERVICE_ACCOUNT", Value = $"{settings.OutsideNamespace}/{KialiCheckServiceAccount}" },
            ],
            customize: job =>
            {
                Slow(job, after: metrics);
                var pod = job.Spec.Template.Spec;
                pod.ServiceAccountName = KialiCheckServiceAccount;
                pod.AutomountServiceAccountToken = true;
                pod.Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("1Mi") } }];
                pod.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }];
            });
    }

    /// <summary>Waits longer than the other checks, and only starts once <paramref name="after"/> has completed.</summary>
    private static void Slow(V1Job job, V1Job after)
    {
        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
        job.Spec.ActiveDeadlineSeconds = ActiveDeadlineSeconds;
        job.Metadata.Annotations[WorkshopChecks.DependsOnAnnotation] = WorkshopChecks.DependsOn(after);
        job.Metadata.Annotations[ProviderTimeoutAnnotation] = Text(ActiveDeadlineSeconds + 60);
        foreach (var env in job.Spec.Template.Spec.Containers[0].Env)
        {
            env.Value = env.Name switch
            {
                "ATTEMPTS" => Text(Attempts),
                "INTERVAL_SECONDS" => Text(IntervalSeconds),
                "TIMEOUT_SECONDS" => Text(RequestTimeoutSeconds),
                _ => env.Value,
            };
        }
    }
}
