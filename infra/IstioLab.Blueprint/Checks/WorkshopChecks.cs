using System.Security.Cryptography;
using System.Text;
using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Checks;

/// <summary>One of the workshop's checks: its short name and the sentence it proves.</summary>
public sealed record CheckDefinition(string Name, string Proves);

/// <summary>
/// The workshop's three manual checks as Jobs, and with the allow-list a fourth that proves default-deny. Each retries for a bounded time (workloads may still be starting),
/// prints one line saying what it saw, and ends with exit 0 only on the expected outcome; <c>backoffLimit</c> and
/// <c>activeDeadlineSeconds</c> end a failing check in minutes. A Job's name carries a short hash of the Job and
/// of everything it verifies, so a change to those runs it again on the next update and no change leaves a passed
/// check be; a check that failed runs again on the next update (<see cref="ScriptJob.ReplaceUnreadyAnnotation"/>).
/// </summary>
public static partial class WorkshopChecks
{
    public const string Image = ScriptJob.Image;

    /// <summary>The store page's title, which the gateway check expects in the body.</summary>
    public const string StoreTitle = "Contoso Pet Store";

    public const int Attempts = 24;
    public const int IntervalSeconds = 5;
    public const int RequestTimeoutSeconds = 5;
    public const int BackoffLimit = 1;

    /// <summary>Comfortably above <see cref="Attempts"/> × (<see cref="IntervalSeconds"/> + <see cref="RequestTimeoutSeconds"/>).</summary>
    public const long ActiveDeadlineSeconds = 300;

    /// <summary>The curl image's own non-root user (curl_user).</summary>
    public const long RunAsUser = ScriptJob.RunAsUser;

    public static CheckDefinition Outside { get; } = new("outside", "a client outside the mesh gets its plaintext request to store-front reset by the sidecar (STRICT mTLS)");
    public static CheckDefinition Inside { get; } = new("inside", "a client inside the mesh reaches store-front with HTTP 200 (mTLS between sidecars)");
    public static CheckDefinition Gateway { get; } = new("gateway", $"the ingress gateway's public IP serves the store page (HTTP 200, '{StoreTitle}')");

    public static CheckDefinition Redirect { get; } = new("redirect", "plain HTTP to the store's DNS name answers 301 with a Location on https://");
    public static CheckDefinition Denied { get; } = new("denied", $"an identity the allow-list does not name gets HTTP 403 '{AccessDenied}' from product-service (default-deny)");

    /// <summary>Every check the lab knows; <see cref="For"/> says which of them a stack runs.</summary>
    public static IReadOnlyList<CheckDefinition> All => [Sidecars, Permissive, Outside, Inside, Gateway, Redirect, Denied, EgressCheck.Definition, Traffic.TrafficCheck.Definition, ObservabilityChecks.Metrics, ObservabilityChecks.Kiali];

    /// <summary>The body of the 403 a callee's sidecar answers when no policy allows the request.</summary>
    public const string AccessDenied = "RBAC: access denied";

    /// <summary>The workload the denied check calls: one that every variant deploys and only front ends may call.</summary>
    public const string DeniedTarget = "product-service";

    /// <summary>
    /// The checks a stack runs, in the order of its Jobs: at workshop step 2 <c>sidecars</c> and <c>permissive</c>, at
    /// step 1 none, from step 3 on <c>outside</c> and <c>inside</c>, from step 4 on the gateway's; with HTTPS on, <c>gateway</c> over HTTPS and <c>redirect</c>;
    /// <c>denied</c> only where the allow-list is enforced; <c>metrics</c> and <c>kiali</c> only with observability.
    /// </summary>
    public static IReadOnlyList<CheckDefinition> For(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.WorkshopStep is WorkshopSteps.Store)
        {
            return StepTwo;
        }

        if (!settings.Reaches(WorkshopSteps.MutualTls))
        {
            return [];
        }

        return
        [
            Outside, Inside,
            .. !settings.Reaches(WorkshopSteps.Ingress) ? [] : settings.Https.Enabled ? [HttpsGateway(settings), Redirect] : new[] { Gateway },
            .. settings.Authorization == AuthorizationMode.AllowList ? [Denied] : Array.Empty<CheckDefinition>(),
            .. settings.Egress == EgressMode.AllowList ? [EgressCheck.Definition] : Array.Empty<CheckDefinition>(),
            .. settings.Traffic.Enabled ? [Traffic.TrafficCheck.Definition] : Array.Empty<CheckDefinition>(),
            .. settings.Observability && settings.Reaches(WorkshopSteps.Observe) ? ObservabilityChecks.Definitions : [],
        ];
    }

    /// <summary>The service account an in-mesh check runs as: its own identity, which the allow-list knows by name.</summary>
    public static string ServiceAccountName(CheckDefinition check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return $"check-{check.Name}";
    }

    /// <summary>
    /// The checks that run inside the mesh, as callers: <c>inside</c> calls store-front, as a browser's request through the
    /// gateway would; <c>denied</c> declares no call at all, so the allow-list grants it nothing.
    /// </summary>
    public static IReadOnlyList<MeshCaller> MeshCallers(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var inside = new MeshCaller("inside check", Identity(settings, Inside),
            [AuthorizationManifest.CallThroughService(settings, StoreCatalog.StoreFront, StoreCatalog.StoreFrontServicePort, "GET")]);
        var denied = new MeshCaller("denied check", Identity(settings, Denied), []);
        var egress = new MeshCaller("egress check", Identity(settings, EgressCheck.Definition), []);
        var checks = For(settings);
        return
        [
            .. checks.Contains(Inside) ? [inside] : Array.Empty<MeshCaller>(),
            .. checks.Contains(Denied) ? [denied] : Array.Empty<MeshCaller>(),
            .. checks.Contains(EgressCheck.Definition) ? [egress] : Array.Empty<MeshCaller>(),
        ];
    }

    /// <summary>The in-mesh checks' own ServiceAccounts, without tokens: the checks never talk to the Kubernetes API.</summary>
    public static IReadOnlyList<V1ServiceAccount> ServiceAccounts(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. MeshCallers(settings).Select(c => c.Identity).OfType<CallerIdentity.ServiceAccount>().Select(sa => new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = Kube.Meta(sa.Name, sa.Namespace, Kube.Labels(sa.Name, "check", "1", partOf: Kube.ManagedBy)),
            AutomountServiceAccountToken = false,
        })];
    }

    private static CallerIdentity.ServiceAccount Identity(LabSettings settings, CheckDefinition check) =>
        new(settings.AppNamespace, ServiceAccountName(check));

    /// <summary>
    /// Plaintext from outside the mesh: a STRICT sidecar accepts the TCP connection and drops it when no TLS
    /// follows, which curl reports as a reset (56) or an empty reply (52); only that proves plaintext is refused.
    /// A refusal (7) is what kube-proxy answers while store-front has no ready endpoints, and says nothing about
    /// mTLS; an HTTP response means plaintext got through. Both are retried (the store or the policy may still be
    /// starting) and end in a FAIL that says which it was.
    /// </summary>
    public const string OutsideScript = """
        i=1; rc=0; code=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$TARGET_URL"); rc=$?
          case "$rc" in
            52|56) echo "PASS outside: plaintext request to $TARGET_URL was reset (curl exit $rc): STRICT mTLS refuses clients outside the mesh"; exit 0 ;;
          esac
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        case "$rc" in
          7) echo "FAIL outside: after $ATTEMPTS attempts, the connection to $TARGET_URL was still refused (curl exit 7): store-front has no ready endpoints, which proves nothing about mTLS; is store-front running (kubectl get pods, kubectl get endpoints)?" ;;
          0) echo "FAIL outside: after $ATTEMPTS attempts, $TARGET_URL still answered a plaintext client (HTTP '$code'): mTLS is not enforced; is the PeerAuthentication STRICT and does store-front have its sidecar?" ;;
          *) echo "FAIL outside: after $ATTEMPTS attempts, plaintext to $TARGET_URL was neither reset nor answered (last: curl exit $rc, HTTP '$code'); is store-front's Service reachable from outside the mesh?" ;;
        esac
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

    /// <summary>
    /// Default-deny, from an identity the call graph does not allow: only HTTP 403 with the RBAC body passes. A 503, a
    /// reset or a timeout proves nothing about authorization, and a 200 means the allow-list is not enforced; all are
    /// retried (the policies may still be reaching the sidecars) and end in FAIL. The proxy is stopped as in the inside check.
    /// </summary>
    public const string DeniedScript = """
        i=1; rc=0; code=""; passed=no
        while [ "$i" -le "$ATTEMPTS" ]; do
          body=$(curl -s --max-time "$TIMEOUT_SECONDS" -w '\nHTTP_STATUS:%{http_code}' "$TARGET_URL"); rc=$?
          code=${body##*HTTP_STATUS:}
          if [ "$rc" -eq 0 ] && [ "$code" = "403" ] && printf '%s' "$body" | grep -qF "$EXPECT_BODY"; then passed=yes; break; fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        curl -s -o /dev/null -X POST http://localhost:15020/quitquitquit
        if [ "$passed" = yes ]; then echo "PASS denied: $TARGET_URL answered HTTP 403 '$EXPECT_BODY' to an identity the allow-list does not name"; exit 0; fi
        echo "FAIL denied: after $ATTEMPTS attempts, $TARGET_URL gave curl exit $rc, HTTP '$code', not 403 '$EXPECT_BODY'; are the AuthorizationPolicies applied, not dry-run, and the check's sidecar injected?"
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
    /// The outside namespace and the Jobs of <see cref="For"/>, in that order, for a cluster on <paramref name="revision"/>
    /// with its gateway at <paramref name="ingressIp"/>: with HTTPS on, the gateway check over HTTPS (trusting the
    /// self-signed CA given as <paramref name="caCertificatePem"/>) and the redirect check; the kiali check's service
    /// account and binding with observability. The in-mesh checks' ServiceAccounts are not here: see <see cref="ServiceAccounts"/>.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, string revision, string ingressIp, string? caCertificatePem = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var checks = For(settings);
        if (checks.Count == 0)
        {
            return [];
        }

        if (checks.SequenceEqual(StepTwo))
        {
            return [OutsideNamespace(settings), .. SidecarsAccess(settings), SidecarsJob(settings, revision), PermissiveJob(settings, revision)];
        }

        if (!settings.Reaches(WorkshopSteps.Ingress))
        {
            return [OutsideNamespace(settings), OutsideJob(settings, revision), InsideJob(settings, revision)];
        }

        var https = settings.Https.Enabled;
        var gateway = https ? HttpsGatewayJob(settings, ingressIp, caCertificatePem) : GatewayJob(settings, ingressIp);
        var inside = InsideJob(settings, revision);
        var traffic = Traffic.TrafficCheck.Jobs(settings, ingressIp, gateway);
        return
        [
            OutsideNamespace(settings),
            .. https && VerificationFor(settings.Https) == TlsVerification.LabCa && caCertificatePem is { Length: > 0 } ca ? [CaConfigMap(settings, ca)] : Array.Empty<IKubernetesObject<V1ObjectMeta>>(),
            OutsideJob(settings, revision),
            inside,
            gateway,
            .. https ? [RedirectJob(settings, ingressIp)] : Array.Empty<V1Job>(),
            .. For(settings).Contains(Denied) ? [DeniedJob(settings, revision)] : Array.Empty<V1Job>(),
            .. For(settings).Contains(EgressCheck.Definition) ? [EgressCheck.Job(settings, revision, inside)] : Array.Empty<V1Job>(),
            .. traffic,
            // With the traffic check, metrics and kiali look for its requests, which reach every version the routes use.
            .. settings.Observability && settings.Reaches(WorkshopSteps.Observe) ? ObservabilityChecks.Build(settings, traffic.Count > 0 ? traffic[0] : gateway) : [],
        ];
    }

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
            verified: [MeshManifest.StrictMutualTls(settings), .. StoreManifest.Build(settings), .. AuthorizationManifest.Build(settings), .. EgressManifest.Build(settings)], facts: [revision],
            serviceAccount: ServiceAccountName(Inside));
    }

    /// <summary>product-service's in-cluster health URL, which the denied check requests from an identity nobody allowed.</summary>
    public static string DeniedTargetUrl(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var target = StoreCatalog.Workloads(settings.StoreVariant).Single(w => w.Name == DeniedTarget);
        return $"http://{DeniedTarget}.{settings.AppNamespace}.svc.cluster.local:{target.Ports.Single().ServicePort}/health";
    }

    public static V1Job DeniedJob(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Job(Denied, settings.AppNamespace, DeniedScript, DeniedTargetUrl(settings), inMesh: true,
            verified: [MeshManifest.StrictMutualTls(settings), .. StoreManifest.Build(settings), .. AuthorizationManifest.Build(settings)], facts: [revision],
            extraEnv: [new V1EnvVar { Name = "EXPECT_BODY", Value = AccessDenied }],
            serviceAccount: ServiceAccountName(Denied));
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

    /// <summary>
    /// The annotation that makes a YAML ConfigGroup create an object only after another is ready: for a Job, after it
    /// has completed.
    /// </summary>
    public const string DependsOnAnnotation = "config.kubernetes.io/depends-on";

    /// <summary>The value of <see cref="DependsOnAnnotation"/> naming <paramref name="job"/>.</summary>
    public static string DependsOn(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return $"batch/namespaces/{job.Metadata.NamespaceProperty}/Job/{job.Metadata.Name}";
    }

    /// <summary>A check Job; <paramref name="customize"/> adds what one check needs beyond the others, before the name is hashed.</summary>
    internal static V1Job Job(CheckDefinition check, string ns, string script, string url, bool inMesh, IEnumerable<object> verified, IEnumerable<string> facts, IEnumerable<V1EnvVar>? extraEnv = null, string? serviceAccount = null, Action<V1Job>? customize = null)
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

        static string Text(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var job = ScriptJob.Build(new ScriptJobSpec($"check-{check.Name}", ns, labels, "check", script,
        [
            new V1EnvVar { Name = "TARGET_URL", Value = url },
            new V1EnvVar { Name = "ATTEMPTS", Value = Text(Attempts) },
            new V1EnvVar { Name = "INTERVAL_SECONDS", Value = Text(IntervalSeconds) },
            new V1EnvVar { Name = "TIMEOUT_SECONDS", Value = Text(RequestTimeoutSeconds) },
            .. extraEnv ?? [],
        ])
        {
            PodAnnotations = annotations,
            ServiceAccount = serviceAccount,
            BackoffLimit = BackoffLimit,
            ActiveDeadlineSeconds = ActiveDeadlineSeconds,
        });

        customize?.Invoke(job);

        // What the check verifies (objects and live facts such as the revision or the IP) and the check itself.
        var fingerprint = ShortHash(KubernetesYaml.SerializeAll(verified.Append(job)) + "\n" + string.Join("\n", facts));
        job.Metadata.Name = $"check-{check.Name}-{fingerprint}";
        return job;
    }
}
