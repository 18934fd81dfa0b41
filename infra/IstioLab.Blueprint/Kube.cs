using k8s;
using k8s.Models;

namespace IstioLab.Blueprint;

/// <summary>Labels, annotations and metadata shared by every object the lab creates in the cluster.</summary>
public static class Kube
{
    public const string ManagedBy = "istio-lab";
    public const string StorePartOf = "aks-store-demo";

    /// <summary>The label the add-on reads for sidecar injection; <c>istio-injection=enabled</c> is ignored by it.</summary>
    public const string RevisionLabel = "istio.io/rev";

    /// <summary>Per-pod proxy config: the app starts only once its proxy is ready (pitfall 10).</summary>
    public const string ProxyConfigAnnotation = "proxy.istio.io/config";
    public const string HoldUntilProxyStarts = """{"holdApplicationUntilProxyStarts":true}""";

    /// <summary>
    /// Pod-template annotation carrying the configured mesh revision: changing the revision changes the
    /// template, so pods roll and get the new revision's sidecar without a manual restart (pitfall 9).
    /// </summary>
    public const string MeshRevisionAnnotation = "istio-lab/mesh-revision";

    /// <summary>The recommended labels plus <c>app</c> (which upstream selects on and Istio reads for telemetry).</summary>
    public static Dictionary<string, string> Labels(string name, string component, string version, string partOf = StorePartOf) => new()
    {
        ["app"] = name,
        ["app.kubernetes.io/name"] = name,
        ["app.kubernetes.io/version"] = version,
        ["app.kubernetes.io/component"] = component,
        ["app.kubernetes.io/part-of"] = partOf,
        ["app.kubernetes.io/managed-by"] = ManagedBy,
    };

    /// <summary>The selector labels, which never change after creation.</summary>
    public static Dictionary<string, string> Selector(string name) => new() { ["app"] = name };

    public static V1ObjectMeta Meta(string name, string? @namespace, IDictionary<string, string>? labels = null) => new()
    {
        Name = name,
        NamespaceProperty = @namespace,
        Labels = labels,
    };

    /// <summary>
    /// A container that runs as <paramref name="uid"/> (never root), cannot gain privileges, writes nothing to its
    /// image and holds no capability.
    /// </summary>
    public static V1SecurityContext Restricted(long uid) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = uid,
        RunAsGroup = uid,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    /// <summary>
    /// The least a Job needs to ask the Kubernetes API one thing: its own ServiceAccount (no token mounted by default),
    /// a namespaced Role holding exactly <paramref name="rule"/>, and the RoleBinding that grants it to the account.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> ApiAccess(
        (string Name, string Namespace) account, (string Name, string Namespace) role, string bindingName, V1PolicyRule rule, IDictionary<string, string> labels) =>
    [
        new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = Meta(account.Name, account.Namespace, labels),
            AutomountServiceAccountToken = false,
        },
        new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "Role",
            Metadata = Meta(role.Name, role.Namespace, labels),
            Rules = [rule],
        },
        new V1RoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "RoleBinding",
            Metadata = Meta(bindingName, role.Namespace, labels),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = role.Name },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = account.Name, NamespaceProperty = account.Namespace }],
        },
    ];
}
