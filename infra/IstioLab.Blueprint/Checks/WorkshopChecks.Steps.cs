using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Checks;

/// <summary>
/// The checks of workshop step 2, the "before" state the workshop shows: the store has joined the mesh (every store
/// pod carries a sidecar), yet the mesh is still permissive (a client outside the mesh gets HTTP 200 in plaintext).
/// Step 3 then turns the second one around: the <c>outside</c> check proves the same request is refused.
/// </summary>
public static partial class WorkshopChecks
{
    public static CheckDefinition Sidecars { get; } = new("sidecars", "every pod of the store carries an Istio sidecar: the namespace's revision label made the add-on inject it at first start");
    public static CheckDefinition Permissive { get; } = new("permissive", "before STRICT mTLS, a client outside the mesh still reaches store-front in plaintext (HTTP 200): the mesh starts permissive");

    /// <summary>The checks of workshop step 2 only.</summary>
    public static IReadOnlyList<CheckDefinition> StepTwo => [Sidecars, Permissive];

    /// <summary>
    /// The label Istio's sidecar injector puts on every pod it injects (<c>security.istio.io/tlsMode: istio</c>;
    /// source: Istio's injection template, manifests/charts/istio-control/istio-discovery/files/injection-template.yaml,
    /// which the add-on's istiod uses). UNCONFIRMED on the add-on itself: if its injector did not set it, the
    /// <c>sidecars</c> check would FAIL naming every pod, never pass wrongly.
    /// </summary>
    public const string InjectedLabel = "security.istio.io/tlsMode";

    /// <summary>The service account, in the namespace outside the mesh, that may list the store's pods and nothing else.</summary>
    public const string SidecarsServiceAccount = "check-sidecars";

    /// <summary>The Role in the application namespace that lets <see cref="SidecarsServiceAccount"/> list pods.</summary>
    public const string PodReaderRole = "istio-lab-check-pod-reader";

    /// <summary>
    /// Asks the Kubernetes API for the store's pods, then for those of them without the injector's label. Passes when
    /// there are store pods and none lacks a sidecar; retried while pods are still being created.
    /// </summary>
    public const string SidecarsScript = """
        token=$(cat "$TOKEN_DIR/token"); i=1; rc=0; missing=""; total=""
        base="$TARGET_URL"
        while [ "$i" -le "$ATTEMPTS" ]; do
          all=$(curl -s --max-time "$TIMEOUT_SECONDS" --cacert "$TOKEN_DIR/ca.crt" -H "Authorization: Bearer $token" "$base"); rc=$?
          bare=$(curl -s --max-time "$TIMEOUT_SECONDS" --cacert "$TOKEN_DIR/ca.crt" -H "Authorization: Bearer $token" "$base,!$INJECTED_LABEL"); rc2=$?
          total=$(printf '%s' "$all" | tr -d ' \n' | grep -o '"metadata":{"name":"[^"]*"' | grep -c .)
          missing=$(printf '%s' "$bare" | tr -d ' \n' | grep -o '"metadata":{"name":"[^"]*"' | sed 's/.*"name":"\([^"]*\)"/\1/' | tr '\n' ' ')
          if [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && printf '%s' "$all" | grep -q '"kind":"PodList"' && printf '%s' "$bare" | grep -q '"kind":"PodList"' \
             && [ "$total" -gt 0 ] && [ -z "$missing" ]; then
            echo "PASS sidecars: all $total pods of the store in $STORE_NAMESPACE carry an Istio sidecar"; exit 0
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL sidecars: after $ATTEMPTS attempts (curl exit $rc, $total store pods), pods without a sidecar: '${missing:-none listed}'; is the namespace labelled istio.io/rev with the cluster's revision, and did these pods start before it?"
        exit 1
        """;

    /// <summary>
    /// Plaintext from outside the mesh while it is permissive: HTTP 200 passes. A reset or an empty reply means something
    /// already refuses plaintext (a STRICT PeerAuthentication left behind); retried, then FAIL.
    /// </summary>
    public const string PermissiveScript = """
        i=1; rc=0; code=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$TARGET_URL"); rc=$?
          if [ "$rc" -eq 0 ] && [ "$code" = "200" ]; then
            echo "PASS permissive: plaintext request to $TARGET_URL from outside the mesh answered HTTP 200: the mesh accepts plaintext until STRICT mTLS (step 3)"; exit 0
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL permissive: after $ATTEMPTS attempts, plaintext to $TARGET_URL gave curl exit $rc, HTTP '$code' (52 or 56: something refuses plaintext already; 7: store-front has no ready pod)"
        exit 1
        """;

    /// <summary>The sidecars check's service account (outside the mesh, its token mounted), its Role and binding in the application namespace.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> SidecarsAccess(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var labels = Kube.Labels(SidecarsServiceAccount, "check", "1", partOf: Kube.ManagedBy);
        return Kube.ApiAccess((SidecarsServiceAccount, settings.OutsideNamespace), (PodReaderRole, settings.AppNamespace), PodReaderRole,
            new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["list"] }, labels);
    }

    public static V1Job SidecarsJob(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Job(Sidecars, settings.OutsideNamespace, SidecarsScript, StorePodsUrl(settings), inMesh: false,
            verified: [.. StoreManifest.Build(settings)], facts: [revision],
            extraEnv:
            [
                new V1EnvVar { Name = "TOKEN_DIR", Value = IngressAddressWait.ServiceAccountTokenDirectory },
                new V1EnvVar { Name = "STORE_NAMESPACE", Value = settings.AppNamespace },
                new V1EnvVar { Name = "INJECTED_LABEL", Value = InjectedLabel },
            ],
            customize: job =>
            {
                var pod = job.Spec.Template.Spec;
                pod.ServiceAccountName = SidecarsServiceAccount;
                pod.AutomountServiceAccountToken = true;
            });
    }

    /// <summary>The Kubernetes API's list of the store's pods (every store pod is <c>part-of</c> the store).</summary>
    public static string StorePodsUrl(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"https://kubernetes.default.svc/api/v1/namespaces/{settings.AppNamespace}/pods?labelSelector=app.kubernetes.io/part-of={Kube.StorePartOf}";
    }

    public static V1Job PermissiveJob(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Job(Permissive, settings.OutsideNamespace, PermissiveScript, StoreFrontUrl(settings), inMesh: false,
            verified: [.. StoreManifest.Build(settings)], facts: [revision]);
    }
}
