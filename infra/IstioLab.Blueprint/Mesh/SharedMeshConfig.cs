using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Mesh;

/// <summary>
/// The MeshConfig fields the lab sets; serialized (camelCase) into the shared ConfigMap's <c>mesh</c> key. Only
/// fields the add-on admits belong here (<see cref="Platform.AddOnMeshConfig"/>); the add-on's webhook refuses a
/// ConfigMap with any other, <c>ingressControllerMode</c> among them.
/// </summary>
public sealed class MeshConfigData
{
    /// <summary>Where every proxy writes its access log: <c>/dev/stdout</c>, so <c>kubectl logs -c istio-proxy</c> shows it.</summary>
    public string? AccessLogFile { get; set; }

    /// <summary>TEXT or JSON.</summary>
    public string? AccessLogEncoding { get; set; }

    public ProxyConfigDefaults? DefaultConfig { get; set; }

    /// <summary>The Service whose address istiod writes into the status of the Ingress objects it serves.</summary>
    public string? IngressService { get; set; }

    /// <summary>The <c>istio</c> label value of the gateway pods that serve Kubernetes Ingress objects.</summary>
    public string? IngressSelector { get; set; }
}

/// <summary>The proxy defaults (ProxyConfig) that MeshConfig gives every sidecar injected by a revision.</summary>
public sealed class ProxyConfigDefaults
{
    public bool? HoldApplicationUntilProxyStarts { get; set; }
}

/// <summary>
/// The add-on's user MeshConfig: one ConfigMap <c>istio-shared-configmap-&lt;revision&gt;</c> in
/// <c>aks-istio-system</c> per revision the cluster runs (a canary needs its own). The add-on merges it into the
/// revision's MeshConfig, its own defaults winning; the add-on's <c>istio-&lt;revision&gt;</c> ConfigMap is never touched.
/// </summary>
public static class SharedMeshConfig
{
    public const string Namespace = "aks-istio-system";
    public const string NamePrefix = "istio-shared-configmap-";

    /// <summary>The data key the add-on reads.</summary>
    public const string MeshKey = "mesh";

    /// <summary>The add-on's own MeshConfig ConfigMap of a revision: the lab must never create or change it.</summary>
    public static string AddOnConfigMapName(string revision) => "istio-" + revision;

    public static string NameFor(string revision)
    {
        ArgumentException.ThrowIfNullOrEmpty(revision);
        return NamePrefix + revision;
    }

    /// <summary>Access logs to stdout in JSON, and every app held until its proxy is ready (pitfall 10, mesh-wide); with Let's Encrypt, the ingress fields its HTTP-01 solver needs.</summary>
    public static MeshConfigData Mesh(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var mesh = new MeshConfigData
        {
            AccessLogFile = "/dev/stdout",
            AccessLogEncoding = "JSON",
            DefaultConfig = new ProxyConfigDefaults { HoldApplicationUntilProxyStarts = true },
        };
        Https.CertManagerManifest.ServeAcmeSolver(settings, mesh);
        return mesh;
    }

    /// <summary>The shared ConfigMap of one revision.</summary>
    public static V1ConfigMap For(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Kube.Meta(NameFor(revision), Namespace, new Dictionary<string, string>
            {
                ["app.kubernetes.io/part-of"] = Kube.ManagedBy,
                ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
            }),
            Data = new Dictionary<string, string> { [MeshKey] = KubernetesYaml.Serialize(Mesh(settings)) },
        };
    }

    /// <summary>One shared ConfigMap per revision the lab sends to the add-on, in the same order (older first).</summary>
    public static IReadOnlyList<V1ConfigMap> ForConfiguredRevisions(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. settings.MeshRevisions.Select(r => For(settings, r))];
    }
}
