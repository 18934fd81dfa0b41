using System.Security.Cryptography;
using System.Text;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Checks;

/// <summary>One of the workshop's checks: its short name and the sentence it proves.</summary>
public sealed record CheckDefinition(string Name, string Proves);

/// <summary>
/// The workshop's three manual checks as Jobs. Each retries for a bounded time (workloads may still be starting),
/// prints one line saying what it saw, and ends with exit 0 only on the expected outcome; <c>backoffLimit</c> and
/// <c>activeDeadlineSeconds</c> end a failing check in minutes. A Job's name carries a short hash of the Job and
/// of everything it verifies, so a change to those runs it again on the next update and no change leaves it be.
/// </summary>
public static partial class WorkshopChecks
{
    public const string Image = "curlimages/curl:8.11.1";

    /// <summary>The store page's title, which the gateway check expects in the body.</summary>
    public const string StoreTitle = "Contoso Pet Store";

    public const int Attempts = 24;
    public const int IntervalSeconds = 5;
    public const int RequestTimeoutSeconds = 5;
    public const int BackoffLimit = 1;

    /// <summary>Comfortably above <see cref="Attempts"/> × (<see cref="IntervalSeconds"/> + <see cref="RequestTimeoutSeconds"/>).</summary>
    public const long ActiveDeadlineSeconds = 300;

    /// <summary>The curl image's own non-root user (curl_user).</summary>
    public const long RunAsUser = 100;

    public static CheckDefinition Outside { get; } = new("outside", "a client outside the mesh gets its plaintext request to store-front refused or reset (STRICT mTLS)");
    public static CheckDefinition Inside { get; } = new("inside", "a client inside the mesh reaches store-front with HTTP 200 (mTLS between sidecars)");
    public static CheckDefinition Gateway { get; } = new("gateway", $"the ingress gateway's public IP serves the store page (HTTP 200, '{StoreTitle}')");

    public static IReadOnlyList<CheckDefinition> All { get; } = [Outside, Inside, Gateway];

    /// <summary>
    /// Plaintext from outside the mesh: a STRICT sidecar accepts the TCP connection and drops it when no TLS
    /// follows, which curl reports as a reset (56) or an empty reply (52). A refusal (7) also happens while a
    /// Service has no ready endpoints, so it counts only when it repeats. Any HTTP response means mTLS is not
    /// (yet) enforced and is retried until the attempts run out.
    /// </summary>
    public const string OutsideScript = """
        refused=0; i=1; rc=0; code=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$TARGET_URL"); rc=$?
          case "$rc" in
            52|56) echo "PASS outside: plaintext request to $TARGET_URL was reset (curl exit $rc): STRICT mTLS refuses clients outside the mesh"; exit 0 ;;
            7) refused=$((refused + 1))
               if [ "$refused" -ge 3 ]; then echo "PASS outside: plaintext request to $TARGET_URL was refused $refused times in a row (curl exit 7)"; exit 0; fi ;;
            *) refused=0 ;;
          esac
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL outside: after $ATTEMPTS attempts, plaintext to $TARGET_URL was still answered or unreachable (last: curl exit $rc, HTTP '$code'); is the PeerAuthentication STRICT?"
        exit 1
        """;

    /// <summary>
    /// From inside the mesh: HTTP 200 through the sidecars. The proxy is told to quit afterwards (pitfall 13),
    /// otherwise a classic sidecar keeps the pod, and so the Job, running forever.
    /// </summary>
    public const string InsideScript = """
        i=1; rc=0; code=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$TARGET_URL"); rc=$?
          if [ "$rc" -eq 0 ] && [ "$code" = "200" ]; then break; fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        curl -s -o /dev/null -X POST http://localhost:15020/quitquitquit
        if [ "$rc" -eq 0 ] && [ "$code" = "200" ]; then echo "PASS inside: $TARGET_URL answered HTTP 200 through the mesh"; exit 0; fi
        echo "FAIL inside: after $ATTEMPTS attempts, $TARGET_URL gave curl exit $rc, HTTP '$code' from inside the mesh; are the sidecars injected and store-front ready?"
        exit 1
        """;

    /// <summary>Through the ingress gateway's public IP: HTTP 200 and the store's title in the body.</summary>
    public const string GatewayScript = """
        i=1; rc=0; code=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          body=$(curl -s --max-time "$TIMEOUT_SECONDS" -w '\nHTTP_STATUS:%{http_code}' "$TARGET_URL"); rc=$?
          code=${body##*HTTP_STATUS:}
          if [ "$rc" -eq 0 ] && [ "$code" = "200" ] && printf '%s' "$body" | grep -qF "$EXPECT_TITLE"; then
            echo "PASS gateway: $TARGET_URL answered HTTP 200 with the page '$EXPECT_TITLE'"; exit 0
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL gateway: after $ATTEMPTS attempts, $TARGET_URL gave curl exit $rc, HTTP '$code' without '$EXPECT_TITLE'; check the Gateway, the VirtualService and the load balancer"
        exit 1
        """;

    /// <summary>store-front's in-cluster URL, which the outside and inside checks request.</summary>
    public static string StoreFrontUrl(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"http://{StoreCatalog.StoreFront}.{settings.AppNamespace}.svc.cluster.local:{StoreCatalog.StoreFrontServicePort}";
    }

    /// <summary>The namespace the checks from outside the mesh run in: explicitly without sidecar injection.</summary>
    public static V1Namespace OutsideNamespace(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = Kube.Meta(settings.OutsideNamespace, null, new Dictionary<string, string>
            {
                ["istio-injection"] = "disabled",
                ["app.kubernetes.io/part-of"] = Kube.ManagedBy,
                ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
            }),
        };
    }

    /// <summary>
    /// The outside namespace and the three Jobs, for a cluster on <paramref name="revision"/> with its gateway at
    /// <paramref name="ingressIp"/>; with HTTPS on, the gateway check over HTTPS and the redirect check (see
    /// <see cref="HttpsChecks"/>), the self-signed CA given as <paramref name="caCertificatePem"/>.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, string revision, string ingressIp, string? caCertificatePem = null) =>
        settings.Https.Enabled
            ? HttpsChecks(settings, revision, ingressIp, caCertificatePem)
            :
            [
                OutsideNamespace(settings),
                OutsideJob(settings, revision),
                InsideJob(settings, revision),
                GatewayJob(settings, ingressIp),
            ];

    public static V1Job OutsideJob(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Job(Outside, settings.OutsideNamespace, OutsideScript, StoreFrontUrl(settings), inMesh: false,
            verified: [MeshManifest.StrictMutualTls(settings), .. StoreManifest.Build(settings)], facts: [revision]);
    }

    public static V1Job InsideJob(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Job(Inside, settings.AppNamespace, InsideScript, StoreFrontUrl(settings), inMesh: true,
            verified: [MeshManifest.StrictMutualTls(settings), .. StoreManifest.Build(settings)], facts: [revision]);
    }

    public static V1Job GatewayJob(LabSettings settings, string ingressIp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(ingressIp);
        return Job(Gateway, settings.OutsideNamespace, GatewayScript, $"http://{ingressIp}/", inMesh: false,
            verified: [MeshManifest.StoreGateway(settings), MeshManifest.StoreRoute(settings), .. StoreManifest.Build(settings)], facts: [ingressIp],
            extraEnv: [new V1EnvVar { Name = "EXPECT_TITLE", Value = StoreTitle }]);
    }

    /// <summary>The first 10 hex digits of the SHA-256 of <paramref name="text"/>.</summary>
    public static string ShortHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..10];

    private static V1Job Job(CheckDefinition check, string ns, string script, string url, bool inMesh, IEnumerable<object> verified, IEnumerable<string> facts, IEnumerable<V1EnvVar>? extraEnv = null, Action<V1PodSpec>? pod = null)
    {
        var labels = Kube.Labels($"check-{check.Name}", "check", "1", partOf: Kube.ManagedBy);
        if (!inMesh)
        {
            labels["sidecar.istio.io/inject"] = "false";
        }

        var annotations = new Dictionary<string, string> { ["istio-lab/proves"] = check.Proves };
        if (inMesh)
        {
            annotations[Kube.ProxyConfigAnnotation] = Kube.HoldUntilProxyStarts;
        }

        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Kube.Meta($"check-{check.Name}", ns, labels),
            Spec = new V1JobSpec
            {
                BackoffLimit = BackoffLimit,
                ActiveDeadlineSeconds = ActiveDeadlineSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels), Annotations = annotations },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        AutomountServiceAccountToken = false,
                        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                        SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "check",
                                Image = Image,
                                Command = ["/bin/sh", "-c", script],
                                Env =
                                [
                                    new V1EnvVar { Name = "TARGET_URL", Value = url },
                                    new V1EnvVar { Name = "ATTEMPTS", Value = Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                                    new V1EnvVar { Name = "INTERVAL_SECONDS", Value = IntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                                    new V1EnvVar { Name = "TIMEOUT_SECONDS", Value = RequestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                                    .. extraEnv ?? [],
                                ],
                                Resources = StoreCatalog.Resources(new Compute("5m", "16Mi"), new Compute("100m", "64Mi")),
                                // Not the proxy's UID 1337: the inside check's traffic must go through its sidecar.
                                SecurityContext = new V1SecurityContext
                                {
                                    RunAsNonRoot = true,
                                    RunAsUser = RunAsUser,
                                    RunAsGroup = RunAsUser,
                                    AllowPrivilegeEscalation = false,
                                    ReadOnlyRootFilesystem = true,
                                    Capabilities = new V1Capabilities { Drop = ["ALL"] },
                                },
                            },
                        ],
                    },
                },
            },
        };

        pod?.Invoke(job.Spec.Template.Spec);

        // What the check verifies (objects and live facts such as the revision or the IP) and the check itself.
        var fingerprint = ShortHash(KubernetesYaml.SerializeAll(verified.Append(job)) + "\n" + string.Join("\n", facts));
        job.Metadata.Name = $"check-{check.Name}-{fingerprint}";
        return job;
    }
}
