using System.Text.Json;
using System.Text.Json.Serialization;
using IstioLab.Blueprint.Mesh;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Observability;

// The kiali-server chart's values that the lab sets, typed; they serialize in the chart's snake_case.

public sealed class KialiValues
{
    public string IstioNamespace { get; set; } = "";
    public KialiAuth Auth { get; set; } = new();
    public KialiClustering Clustering { get; set; } = new();
    public KialiDeployment Deployment { get; set; } = new();
    public KialiExternalServices ExternalServices { get; set; } = new();
    public KialiLoginToken LoginToken { get; set; } = new();
    public KialiServer Server { get; set; } = new();
}

public sealed class KialiLoginToken
{
    /// <summary>The key that signs login sessions, or <c>secret:&lt;name&gt;:&lt;key&gt;</c> naming the Secret that holds it.</summary>
    public string SigningKey { get; set; } = "";
}

public sealed class KialiClustering
{
    public KialiAutodetectSecrets AutodetectSecrets { get; set; } = new();
}

public sealed class KialiAutodetectSecrets
{
    public bool Enabled { get; set; }
}

public sealed class KialiAuth
{
    public string Strategy { get; set; } = "";
}

public sealed class KialiDeployment
{
    public bool ClusterWideAccess { get; set; }
    public string ServiceType { get; set; } = "";
    public bool ViewOnlyMode { get; set; }
}

public sealed class KialiServer
{
    public string WebRoot { get; set; } = "";
}

public sealed class KialiExternalServices
{
    public KialiPrometheus Prometheus { get; set; } = new();
    public KialiGrafana Grafana { get; set; } = new();
    public KialiTracing Tracing { get; set; } = new();
    public KialiIstio Istio { get; set; } = new();
}

public sealed class KialiPrometheus
{
    public string Url { get; set; } = "";
    public string HealthCheckUrl { get; set; } = "";

    /// <summary>Headers Kiali sends with every query; keys are sent as written.</summary>
    public Dictionary<string, string>? CustomHeaders { get; set; }

    /// <summary>Seconds Kiali waits for one query.</summary>
    public int? QueryTimeout { get; set; }
}

public sealed class KialiGrafana
{
    public bool Enabled { get; set; }
    public string ExternalUrl { get; set; } = "";
}

public sealed class KialiTracing
{
    public bool Enabled { get; set; }
}

public sealed class KialiIstio
{
    public string RootNamespace { get; set; } = "";
}

/// <summary>
/// Kiali from its Helm chart, on the workspace's metrics through the auth proxy, in the monitoring namespace
/// outside the mesh. Nothing names a revision: Kiali 2.12+ finds each revision's istiod by itself, so a canary
/// upgrade needs no change. Token login, ClusterIP only; a service account bound to Kiali's read-only role is
/// what people log in with.
/// </summary>
public static class Kiali
{
    public const string Chart = "kiali-server";
    public const string ChartVersion = "2.29.0";
    public const string ChartRepository = "https://kiali.org/helm-charts";
    public const string ReleaseName = "kiali";
    public const string ServiceName = "kiali";
    public const int Port = 20001;
    public const string WebRoot = "/kiali";

    /// <summary>The read-only role the chart creates.</summary>
    public const string ViewerRole = "kiali-viewer";

    /// <summary>The service account people log in with (<c>kubectl create token</c>).</summary>
    public const string LoginServiceAccount = "kiali-login";

    /// <summary>
    /// The Secret holding the key that signs Kiali's login sessions, and its data key. The chart would otherwise
    /// generate a new key at every render (<see cref="Platform.ChartGeneratedValues.Kiali"/>); the Pulumi program
    /// fills it from a random secret kept in the stack's state, so the key, the ConfigMap and the Deployment stay the
    /// same between runs and logins survive an update.
    /// </summary>
    public const string SigningKeySecretName = "kiali-signing-key";
    public const string SigningKeySecretKey = "signing-key";

    /// <summary>The key's length: Kiali signs with AES, whose keys are 16, 24 or 32 bytes; the chart's own key has 32 characters.</summary>
    public const int SigningKeyLength = 32;

    /// <summary>What the render command prints where the signing key is known only at deploy time.</summary>
    public const string SigningKeyPlaceholder = "signing-key-set-from-a-pulumi-secret";

    /// <summary>
    /// The chart's reference to the Secret (<c>secret:&lt;name&gt;:&lt;key&gt;</c>): the chart mounts it where Kiali reads
    /// its override secrets, and the key itself stays out of the values and the ConfigMap.
    /// Source: kiali/helm-charts v2.29.0 kiali-server/templates/_helpers.tpl, kiali-server.credential-secrets.
    /// </summary>
    public static string SigningKeyReference => $"secret:{SigningKeySecretName}:{SigningKeySecretKey}";

    /// <summary>
    /// What Kiali sends to the workspace and how long it waits, as Microsoft's Kiali-on-Azure-Monitor sample sets them.
    /// Source: Azure/AKS examples/istio-based-service-mesh/observability/kiali/kiali-cr.yaml (external_services.prometheus).
    /// </summary>
    public static IReadOnlyDictionary<string, string> PrometheusHeaders { get; } = new Dictionary<string, string> { ["Accept"] = "application/json" };

    public const int PrometheusQueryTimeoutSeconds = 30;

    /// <summary>How a person reaches Kiali: a port-forward to its ClusterIP Service, then http://localhost:20001/kiali.</summary>
    public static string PortForwardCommand => $"kubectl port-forward -n {MonitoringManifest.Namespace} svc/{ServiceName} {Port}:{Port}";

    /// <summary>The token to log in with: the login service account's, bound to Kiali's read-only role.</summary>
    public static string TokenCommand => $"kubectl create token {LoginServiceAccount} -n {MonitoringManifest.Namespace} --duration 8h";

    public static string Url => $"http://{ServiceName}.{MonitoringManifest.Namespace}.svc.cluster.local:{Port}{WebRoot}";

    private static readonly JsonSerializerOptions SnakeCase = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions StrictSnakeCase = new(SnakeCase) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <param name="grafanaUrl">Managed Grafana's URL, linked from Kiali's pages; null leaves Grafana off.</param>
    public static KialiValues Values(string? grafanaUrl) => new()
    {
        IstioNamespace = SharedMeshConfig.Namespace,
        Auth = new KialiAuth { Strategy = "token" },

        // A single cluster: no remote cluster Secrets to look up (the chart's default looks them up at every render).
        Clustering = new KialiClustering { AutodetectSecrets = new KialiAutodetectSecrets { Enabled = false } },
        Deployment = new KialiDeployment
        {
            // True also keeps the chart from looking up every Namespace at render time.
            ClusterWideAccess = true,
            ServiceType = "ClusterIP",
            ViewOnlyMode = true,
        },
        ExternalServices = new KialiExternalServices
        {
            Prometheus = new KialiPrometheus
            {
                Url = MonitoringManifest.ProxyUrl,
                // The workspace does not serve Prometheus's status endpoints that Kiali probes by default.
                HealthCheckUrl = MonitoringManifest.ProxyUrl + "/api/v1/query?query=up",
                CustomHeaders = new Dictionary<string, string>(PrometheusHeaders),
                QueryTimeout = PrometheusQueryTimeoutSeconds,
            },
            Grafana = new KialiGrafana { Enabled = grafanaUrl is not null, ExternalUrl = grafanaUrl ?? "" },
            Tracing = new KialiTracing { Enabled = false },
            Istio = new KialiIstio { RootNamespace = SharedMeshConfig.Namespace },
        },
        LoginToken = new KialiLoginToken { SigningKey = SigningKeyReference },
        Server = new KialiServer { WebRoot = WebRoot },
    };

    /// <summary>The values as the plain tree a Helm chart takes, key for key.</summary>
    public static IReadOnlyDictionary<string, object> ValuesTree(string? grafanaUrl)
    {
        using var document = JsonSerializer.SerializeToDocument(Values(grafanaUrl), SnakeCase);
        return (IReadOnlyDictionary<string, object>)Rendering.PlainTree.OfJson(document.RootElement);
    }

    /// <summary>The values as JSON (which is YAML too), as a user would pass them with <c>helm install -f</c>.</summary>
    public static string ValuesJson(string? grafanaUrl) => JsonSerializer.Serialize(Values(grafanaUrl), SnakeCase);

    /// <summary>Reads values back, refusing any key the model does not declare.</summary>
    public static KialiValues LoadValues(string json) =>
        JsonSerializer.Deserialize<KialiValues>(json, StrictSnakeCase)
        ?? throw new JsonException("empty Kiali values");

    /// <summary>The login service account and its binding to Kiali's read-only role.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Login() =>
    [
        new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = Kube.Meta(LoginServiceAccount, MonitoringManifest.Namespace, Labels),
            AutomountServiceAccountToken = false,
        },
        ViewerBinding($"{LoginServiceAccount}-viewer", LoginServiceAccount, MonitoringManifest.Namespace),
    ];

    /// <summary>The Secret the chart mounts as Kiali's signing key, holding <paramref name="signingKey"/>.</summary>
    public static V1Secret SigningKeySecret(string signingKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingKey);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = Kube.Meta(SigningKeySecretName, MonitoringManifest.Namespace, Labels),
            Type = "Opaque",
            StringData = new Dictionary<string, string> { [SigningKeySecretKey] = signingKey },
        };
    }

    /// <summary>A binding of a service account to <see cref="ViewerRole"/>.</summary>
    public static V1ClusterRoleBinding ViewerBinding(string name, string serviceAccount, string @namespace) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRoleBinding",
        Metadata = Kube.Meta(name, null, Labels),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = ViewerRole },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = @namespace }],
    };

    private static Dictionary<string, string> Labels => Kube.Labels("kiali", "observability", ChartVersion, partOf: Kube.ManagedBy);
}
