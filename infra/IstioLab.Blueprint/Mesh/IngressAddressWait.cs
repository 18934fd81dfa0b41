using System.Globalization;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Mesh;

/// <summary>
/// Waits, bounded, for the add-on's external gateway Service to get its public IP, so that reading the Service
/// afterwards finds one. A Job in the application namespace (no sidecar) asks the Kubernetes API for that one
/// Service with a service account that may read nothing else; the provider waits for the Job to complete and
/// fails the update with its last line if the load balancer has no IP in time. The Service itself stays the
/// add-on's: the lab only reads it (pitfall 8).
/// </summary>
public static class IngressAddressWait
{
    public const string Name = "wait-for-ingress-ip";

    /// <summary>The Role in the add-on's ingress namespace that may read the gateway Service and nothing else.</summary>
    public const string ReaderRoleName = "istio-lab-ingress-ip-reader";

    public const int Attempts = 36;
    public const int IntervalSeconds = 5;
    public const int RequestTimeoutSeconds = 5;

    /// <summary>Above <see cref="Attempts"/> × (<see cref="IntervalSeconds"/> + <see cref="RequestTimeoutSeconds"/>), so the script's own message ends a failure.</summary>
    public const long ActiveDeadlineSeconds = 420;

    public const string ServiceAccountTokenDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The message both this Job and the program use when the gateway has no IP.</summary>
    public static string NoAddressMessage { get; } =
        $"The add-on's ingress gateway Service {MeshManifest.IngressNamespace}/{MeshManifest.IngressServiceName} has no public IP yet; " +
        "its Azure load balancer may still be provisioning. Run `pulumi up` again in a minute.";

    /// <summary>
    /// Polls the Service until <c>status.loadBalancer.ingress[].ip</c> is set. Any other answer (not found while the
    /// add-on creates it, forbidden, a timeout) is retried until the attempts run out.
    /// </summary>
    public static string Script { get; } = PollScript(
        check: "ingress-ip",
        done: """[ -n "$ip" ]""",
        passed: "has the public IP $ip",
        lastSeen: "last curl exit $rc");

    /// <summary>The Job that waits, after the HTTPS patch, until the gateway Service has moved onto the static IP.</summary>
    public const string StaticAddressName = "wait-for-static-ingress-ip";

    /// <summary>
    /// As <see cref="Script"/>, but done only once the Service's IP is <c>$EXPECT_IP</c>: the cloud provider has
    /// moved the load balancer onto the lab's static IP, so the store's DNS name reaches the gateway.
    /// </summary>
    public static string StaticAddressScript { get; } = PollScript(
        check: "static-ip",
        done: """[ "$ip" = "$EXPECT_IP" ]""",
        passed: "uses the static IP $ip",
        lastSeen: "last curl exit $rc, IP '$ip', expected '$EXPECT_IP'");

    /// <summary>The message of the static-IP wait when the Service never moves onto the lab's IP.</summary>
    public static string StaticAddressMessage { get; } =
        $"The add-on's ingress gateway Service {MeshManifest.IngressNamespace}/{MeshManifest.IngressServiceName} does not use the lab's static IP. " +
        "Check that the annotations are still on it (the add-on may have reverted them), that the cluster's identity is Network Contributor on the IP's resource group, " +
        $"and `kubectl describe svc -n {MeshManifest.IngressNamespace} {MeshManifest.IngressServiceName}` for the load balancer's events.";

    private static string PollScript(string check, string done, string passed, string lastSeen) => $$"""
        token=$(cat "$TOKEN_DIR/token"); i=1; rc=0; ip=""
        url="$API_SERVER/api/v1/namespaces/$SERVICE_NAMESPACE/services/$SERVICE_NAME"
        while [ "$i" -le "$ATTEMPTS" ]; do
          body=$(curl -s --max-time "$TIMEOUT_SECONDS" --cacert "$TOKEN_DIR/ca.crt" -H "Authorization: Bearer $token" "$url"); rc=$?
          ip=$(printf '%s' "$body" | tr -d ' \n' | grep -o '"ingress":\[{[^]]*"ip":"[^"]*"' | sed 's/.*"ip":"\([^"]*\)"$/\1/' | head -n 1)
          if [ "$rc" -eq 0 ] && {{done}}; then echo "PASS {{check}}: $SERVICE_NAMESPACE/$SERVICE_NAME {{passed}}"; exit 0; fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL {{check}}: after $ATTEMPTS attempts ({{lastSeen}}): $NO_ADDRESS"
        exit 1
        """;

    /// <summary>The service account, its read-only Role and binding in the ingress namespace, and the Job.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var labels = Kube.Labels(Name, "mesh-readiness", "1", partOf: Kube.ManagedBy);
        var access = Kube.ApiAccess((Name, settings.AppNamespace), (ReaderRoleName, MeshManifest.IngressNamespace), $"{ReaderRoleName}-{settings.AppNamespace}",
            new V1PolicyRule { ApiGroups = [""], Resources = ["services"], ResourceNames = [MeshManifest.IngressServiceName], Verbs = ["get"] }, labels);
        return [.. access, Job(settings, labels)];
    }

    public static V1Job Job(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Job(settings, Kube.Labels(Name, "mesh-readiness", "1", partOf: Kube.ManagedBy));
    }

    /// <summary>
    /// The same wait, with the same read-only service account, for <paramref name="expectedIp"/>: run after the
    /// HTTPS patch points the gateway Service at the lab's static IP (it needs <see cref="Build"/>'s objects).
    /// </summary>
    public static V1Job StaticAddressJob(LabSettings settings, string expectedIp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(expectedIp);
        return Job(settings, Kube.Labels(StaticAddressName, "mesh-readiness", "1", partOf: Kube.ManagedBy), StaticAddressName, StaticAddressScript,
            StaticAddressMessage, [new V1EnvVar { Name = "EXPECT_IP", Value = expectedIp }]);
    }

    private static V1Job Job(LabSettings settings, Dictionary<string, string> labels) =>
        Job(settings, labels, Name, Script, NoAddressMessage, []);

    private static V1Job Job(LabSettings settings, Dictionary<string, string> labels, string name, string script, string message, IEnumerable<V1EnvVar> extraEnv)
    {
        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
        return ScriptJob.Build(new ScriptJobSpec(name, settings.AppNamespace, labels, "wait", script,
        [
            new V1EnvVar { Name = "API_SERVER", Value = "https://kubernetes.default.svc" },
            new V1EnvVar { Name = "TOKEN_DIR", Value = ServiceAccountTokenDirectory },
            new V1EnvVar { Name = "SERVICE_NAMESPACE", Value = MeshManifest.IngressNamespace },
            new V1EnvVar { Name = "SERVICE_NAME", Value = MeshManifest.IngressServiceName },
            new V1EnvVar { Name = "ATTEMPTS", Value = Text(Attempts) },
            new V1EnvVar { Name = "INTERVAL_SECONDS", Value = Text(IntervalSeconds) },
            new V1EnvVar { Name = "TIMEOUT_SECONDS", Value = Text(RequestTimeoutSeconds) },
            new V1EnvVar { Name = "NO_ADDRESS", Value = message },
            .. extraEnv,
        ])
        {
            ExtraPodLabels = new Dictionary<string, string> { ["sidecar.istio.io/inject"] = "false" },
            ServiceAccount = Name,
            // The one kind of pod of the lab that talks to the Kubernetes API: only its token is mounted.
            MountServiceAccountToken = true,
            BackoffLimit = 0,
            ActiveDeadlineSeconds = ActiveDeadlineSeconds,
        });
    }
}
