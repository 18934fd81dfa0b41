using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Checks;

/// <summary>
/// The <c>restarts</c> check: after the store is ready and after every check that sends it traffic, every container of
/// every store pod (the application, its sidecar, its waits) still has <c>restartCount</c> 0. It reads the pods of the
/// application namespace through the Kubernetes API with a service account that may only list pods there (a Role,
/// not a ClusterRole), from the curl image the other checks use, outside the mesh.
/// <para>
/// A simulator's restart (virtual-customer, virtual-worker) fails the check like any other: it is the very symptom the
/// store's waits exist to prevent (virtual-worker exits on the first error its callee answers), and a Job that passes
/// prints nothing anyone reads, so a warning would be one nobody sees. The failure names it as a simulator and says to
/// look at its callee.
/// </para>
/// </summary>
public static class RestartsCheck
{
    public static CheckDefinition Definition { get; } = new("restarts",
        "every container of every store pod (application, sidecar, waits) has restartCount 0 after the store started and served the other checks' traffic");

    /// <summary>The check's own identity: its token is the only one its pod mounts.</summary>
    public const string ServiceAccountName = "check-restarts";

    /// <summary>The Role that may list the pods of the application namespace, and nothing else.</summary>
    public const string RoleName = "istio-lab-pod-lister";

    public const string ApiServer = "https://kubernetes.default.svc";

    /// <summary>The component label of the store's simulators, whose failures get a hint about their callee.</summary>
    public const string SimulatorComponent = "load-generator";

    /// <summary>
    /// Lists the namespace's pods (retrying an error or a refusal while the binding propagates), then prints one line
    /// per property: <c>pods</c> (every workload of the catalog has a pod) and <c>restarts</c> (every container of those
    /// pods, init containers included, has restartCount 0; else each one with its count and its last termination).
    /// The awk program walks the JSON by splitting it at double quotes, so no string's content is mistaken for structure.
    /// </summary>
    public const string Script = """
        token=$(cat "$TOKEN_DIR/token"); i=1; rc=0; body=""; listed=no
        while [ "$i" -le "$ATTEMPTS" ]; do
          body=$(curl -s --max-time "$TIMEOUT_SECONDS" --cacert "$TOKEN_DIR/ca.crt" -H "Authorization: Bearer $token" "$TARGET_URL"); rc=$?
          if [ "$rc" -eq 0 ] && printf '%s' "$body" | grep -q '"kind": *"PodList"'; then listed=yes; break; fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        if [ "$listed" != yes ]; then
          echo "FAIL pods: could not list the pods of $APP_NAMESPACE after $ATTEMPTS attempts (curl exit $rc: $(printf '%s' "$body" | tr -d '\n' | cut -c 1-200)); is $SERVICE_ACCOUNT bound to a Role that may list pods?"
          echo "FAIL restarts: no pod of $APP_NAMESPACE could be inspected"
          exit 1
        fi
        rows=$(printf '%s' "$body" | awk '
          function at() { return d == 0 ? "" : (kind[d] == "o" ? path[d] "." key : path[d] "[]") }
          function status(p) { return p ~ /^\.items\[\]\.status\.(initC|c)ontainerStatuses\[\]$/ }
          function value(v,   f) {
            f = at()
            if (f == ".items[].metadata.name") pod = v
            else if (f == ".items[].metadata.labels.app") app = v
            else if (status(path[d]) && f ~ /\.name$/) cname = v
            else if (status(path[d]) && f ~ /\.restartCount$/) count = v
            else if (f ~ /^\.items\[\]\.status\.(initC|c)ontainerStatuses\[\]\.lastState\.terminated\.reason$/) reason = v
            else if (f ~ /^\.items\[\]\.status\.(initC|c)ontainerStatuses\[\]\.lastState\.terminated\.exitCode$/) code = v
          }
          function enter(c,   p) {
            p = at(); d++; path[d] = p; kind[d] = (c == "{") ? "o" : "a"
            if (p == ".items[]") { pod = ""; app = "" }
            if (status(p)) { cname = ""; count = "0"; reason = ""; code = "" }
          }
          function leave() {
            if (path[d] == ".items[]") printf "pod\t%s\t%s\n", pod, app
            if (status(path[d])) printf "container\t%s\t%s\t%s\t%s\t%s\t%s\n", pod, app, cname, count, reason, code
            d--
          }
          BEGIN { RS = "\""; d = 0; instring = 0; carry = ""; pending = 0 }
          {
            if (instring) {
              s = carry $0
              if (match(s, /\\+$/) && RLENGTH % 2 == 1) { carry = s "\""; next }
              carry = ""; text = s; pending = 1; instring = 0; next
            }
            seg = $0; n = length(seg); i = 1
            if (pending) {
              while (i <= n && index(" \t\r\n", substr(seg, i, 1))) i++
              if (kind[d] == "o" && substr(seg, i, 1) == ":") { key = text; i++ } else value(text)
              pending = 0
            }
            while (i <= n) {
              c = substr(seg, i, 1)
              if (c == "{" || c == "[") { enter(c); i++ }
              else if (c == "}" || c == "]") { leave(); i++ }
              else if (index(" \t\r\n,:", c)) i++
              else { j = i; while (j <= n && !index(",}] \t\r\n", substr(seg, j, 1))) j++; value(substr(seg, i, j - i)); i = j }
            }
            instring = 1
          }')
        tab=$(printf '\t')
        missing=""; pods=0
        for w in $WORKLOADS; do
          n=$(printf '%s\n' "$rows" | grep -c "^pod$tab[^$tab]*$tab$w\$")
          if [ "$n" -eq 0 ]; then missing="$missing $w"; fi
          pods=$((pods + n))
        done
        store=$(printf '%s\n' "$rows" | awk -F "$tab" -v workloads=" $WORKLOADS " '$1 == "container" && index(workloads, " " $3 " ")')
        total=$(printf '%s\n' "$store" | grep -c "^container")
        restarted=$(printf '%s\n' "$store" | awk -F "$tab" -v ns="$APP_NAMESPACE" -v sims=" $SIMULATORS " '
          $5 != "0" && $5 != "" {
            why = ($6 == "" ? "last termination unknown" : "last terminated: " $6 ", exit code " $7)
            hint = index(sims, " " $3 " ") ? " (a simulator: it exits when its callee answers an error; look at that callee too)" : ""
            printf "%s%s/%s container %s restarted %s times (%s)%s", (n++ ? "; " : ""), ns, $2, $4, $5, why, hint
          }')
        failed=no
        if [ -z "$missing" ]; then
          echo "PASS pods: every workload of the store has a pod in $APP_NAMESPACE ($pods pods:$(printf ' %s' $WORKLOADS))"
        else
          echo "FAIL pods: no pod of$missing in $APP_NAMESPACE ($pods store pods found); kubectl get pods -n $APP_NAMESPACE"
          failed=yes
        fi
        if [ "$total" -eq 0 ]; then
          echo "FAIL restarts: there is no store container in $APP_NAMESPACE to inspect"
          failed=yes
        elif [ -z "$restarted" ]; then
          echo "PASS restarts: all $total containers of the $pods store pods in $APP_NAMESPACE have restartCount 0 (applications, sidecars and waits)"
        else
          echo "FAIL restarts: $restarted; read kubectl describe pod -n $APP_NAMESPACE <pod> (Last State, Events) and kubectl logs -n $APP_NAMESPACE <pod> -c <container> --previous"
          failed=yes
        fi
        [ "$failed" = no ]
        """;

    /// <summary>The pods of the application namespace, as the Kubernetes API lists them (compact JSON).</summary>
    public static string PodsUrl(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"{ApiServer}/api/v1/namespaces/{settings.AppNamespace}/pods?pretty=false";
    }

    /// <summary>
    /// The check's ServiceAccount, its Role and RoleBinding, and its Job, for a cluster on <paramref name="revision"/>,
    /// after the Jobs of <paramref name="after"/>: its name changes, and so it runs again, when the store, the revision
    /// or those checks change.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, string revision, IReadOnlyList<V1Job> after)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(after);
        var ns = settings.AppNamespace;
        var labels = Kube.Labels(ServiceAccountName, "check", "1", partOf: Kube.ManagedBy);
        var access = Kube.ApiAccess((ServiceAccountName, ns), (RoleName, ns), ServiceAccountName,
            new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["list"] }, labels);
        return [.. access, Job(settings, revision, after)];
    }

    public static V1Job Job(LabSettings settings, string revision, IReadOnlyList<V1Job> after)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(after);
        var workloads = StoreCatalog.Workloads(settings.StoreVariant);
        var ns = settings.AppNamespace;
        return WorkshopChecks.Job(Definition, ns, Script, PodsUrl(settings), inMesh: false,
            verified: StoreManifest.Build(settings), facts: [revision, .. after.Select(j => $"{j.Metadata.NamespaceProperty}/{j.Metadata.Name}")],
            extraEnv:
            [
                new V1EnvVar { Name = "TOKEN_DIR", Value = IngressAddressWait.ServiceAccountTokenDirectory },
                new V1EnvVar { Name = "APP_NAMESPACE", Value = ns },
                new V1EnvVar { Name = "WORKLOADS", Value = string.Join(' ', workloads.Select(w => w.Name)) },
                new V1EnvVar { Name = "SIMULATORS", Value = string.Join(' ', workloads.Where(w => w.Component == SimulatorComponent).Select(w => w.Name)) },
                new V1EnvVar { Name = "SERVICE_ACCOUNT", Value = $"{ns}/{ServiceAccountName}" },
            ],
            serviceAccount: ServiceAccountName,
            customize: job =>
            {
                // A restart count does not change by asking again: one run, no retry of the whole pod.
                job.Spec.BackoffLimit = 0;
                job.Spec.Template.Spec.AutomountServiceAccountToken = true;
                // Created only once the account exists and may list pods, so the first request is not refused.
                job.Metadata.Annotations ??= new Dictionary<string, string>();
                job.Metadata.Annotations[WorkshopChecks.DependsOnAnnotation] = string.Join(',',
                    $"/namespaces/{ns}/ServiceAccount/{ServiceAccountName}",
                    $"rbac.authorization.k8s.io/namespaces/{ns}/RoleBinding/{ServiceAccountName}");
            });
    }
}
