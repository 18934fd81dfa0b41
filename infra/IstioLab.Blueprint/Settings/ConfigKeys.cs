namespace IstioLab.Blueprint.Settings;

/// <summary>The value type of a stack config key, spelt as <c>Pulumi.yaml</c> declares it.</summary>
public static class ConfigValueType
{
    public const string Text = "string";
    public const string WholeNumber = "integer";
    public const string TrueOrFalse = "boolean";
}

/// <summary>
/// One stack config key: its full name (<c>namespace:name</c>), its default (empty when unset means
/// "let Azure or the add-on decide"), and the sentence users read in <c>Pulumi.yaml</c> and the README.
/// </summary>
public sealed record ConfigKey(string FullName, string Type, string Default, string Description, bool Secret = false)
{
    /// <summary>The part after the namespace, e.g. <c>nodeCount</c>.</summary>
    public string Name => FullName[(FullName.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>The namespace before the colon, e.g. <c>istio-lab</c>.</summary>
    public string Namespace => FullName[..FullName.IndexOf(':', StringComparison.Ordinal)];
}

/// <summary>Every stack config key the lab reads; the single source for defaults and descriptions.</summary>
public static class ConfigKeys
{
    /// <summary>The project name in <c>Pulumi.yaml</c>, and so the namespace of the lab's own keys.</summary>
    public const string ProjectNamespace = "istio-lab";

    public static readonly ConfigKey Location = new(
        "azure-native:location", ConfigValueType.Text, "westeurope",
        "Azure region for the resource group and the cluster (lowercase name, e.g. westeurope).");

    public static readonly ConfigKey ResourceGroupName = new(
        "istio-lab:resourceGroupName", ConfigValueType.Text, "istio-lab-rg",
        "Name of the resource group that holds the cluster (1-90 letters, digits, '-', '_', '.', '(', ')'; not ending in '.').");

    public static readonly ConfigKey ClusterName = new(
        "istio-lab:clusterName", ConfigValueType.Text, "istio-lab-aks",
        "Name of the AKS cluster, also its DNS prefix (1-63 letters, digits, '-', '_'; starts and ends with a letter or digit).");

    public static readonly ConfigKey KubernetesVersion = new(
        "istio-lab:kubernetesVersion", ConfigValueType.Text, "",
        "Kubernetes version of the cluster, MAJOR.MINOR or MAJOR.MINOR.PATCH; empty for AKS's default version.");

    public static readonly ConfigKey NodeCount = new(
        "istio-lab:nodeCount", ConfigValueType.WholeNumber, "2",
        "Number of nodes in the single system node pool (1-100).");

    public static readonly ConfigKey NodeVmSize = new(
        "istio-lab:nodeVmSize", ConfigValueType.Text, "Standard_D4ds_v5",
        "Azure VM size of the nodes (Standard_...); the default fits the all-in-one store, its sidecars, istiod and the gateway with headroom.");

    public static readonly ConfigKey IstioRevision = new(
        "istio-lab:istioRevision", ConfigValueType.Text, "",
        "Istio add-on revision the cluster runs, asm-1-<minor> (e.g. asm-1-29); the stable one during a canary upgrade; empty lets the add-on install its default, and the namespace label follows the cluster.");

    public static readonly ConfigKey IstioCanaryRevision = new(
        "istio-lab:istioCanaryRevision", ConfigValueType.Text, "",
        "Starts a canary upgrade to this revision (asm-1-<minor>, one or two minors above istio-lab:istioRevision, which must be set): the cluster runs both control planes; empty when no upgrade is under way.");

    public static readonly ConfigKey IstioDataPlane = new(
        "istio-lab:istioDataPlane", ConfigValueType.Text, "",
        "During a canary upgrade, which control plane the store's sidecars follow: canary (the default while istio-lab:istioCanaryRevision is set) or stable (roll back); only with a canary.");

    public static readonly ConfigKey StoreVariant = new(
        "istio-lab:storeVariant", ConfigValueType.Text, "all-in-one",
        "Which AKS Store Demo to deploy: all-in-one (9 workloads) or quickstart (4 workloads).");

    public static readonly ConfigKey AppNamespace = new(
        "istio-lab:appNamespace", ConfigValueType.Text, "pets",
        "Kubernetes namespace of the store, labelled for sidecar injection (DNS-1123 label).");

    public static readonly ConfigKey RabbitMqUsername = new(
        "istio-lab:rabbitmqUsername", ConfigValueType.Text, "storeuser",
        "RabbitMQ user shared by rabbitmq, order-service and makeline-service (1-64 letters, digits, '-', '_', '.').");

    public static readonly ConfigKey RabbitMqPassword = new(
        "istio-lab:rabbitmqPassword", ConfigValueType.Text, "",
        "RabbitMQ password, set with `pulumi config set --secret`; when unset a random password is generated and kept in state as a secret.",
        Secret: true);

    public static readonly ConfigKey Checks = new(
        "istio-lab:checks", ConfigValueType.TrueOrFalse, "true",
        "Run the workshop's checks (mTLS refuses plaintext, in-mesh traffic works, the gateway serves the store) as Jobs at the end of every update.");

    public static readonly ConfigKey Observability = new(
        "istio-lab:observability", ConfigValueType.TrueOrFalse, "true",
        "Watch the mesh: managed Prometheus (Azure Monitor workspace) scraping istiod and every sidecar, Managed Grafana with the store's mesh dashboard, Kiali, and the metrics and kiali checks; false creates none of it.");

    public static readonly ConfigKey GrafanaAdminObjectId = new(
        "istio-lab:grafanaAdminObjectId", ConfigValueType.Text, "",
        "Entra object id (a GUID) of the user or group given Grafana Admin on the Managed Grafana; empty for the principal that runs pulumi up.");

    public static readonly ConfigKey Authorization = new(
        "istio-lab:authorization", ConfigValueType.Text, "open",
        "Calls between the store's workloads: open (any meshed workload may call any other, as in the workshop), dry-run (the allow-list only logs what it would deny) or allow-list (deny by default; only the store's real calls are allowed).");

    public static readonly ConfigKey Https = new(
        "istio-lab:https", ConfigValueType.Text, "off",
        "HTTPS for the store on a static public IP with an Azure DNS name: off (the workshop's HTTP on the gateway's own IP), self-signed (a lab CA, trusted with curl --cacert) or lets-encrypt (cert-manager, HTTP-01).");

    public static readonly ConfigKey DnsLabel = new(
        "istio-lab:dnsLabel", ConfigValueType.Text, "",
        "DNS label of the static IP, so the store is <label>.<location>.cloudapp.azure.com (3-63 lowercase letters, digits and '-', starting with a letter, ending with a letter or digit; unique in the region); empty derives one from the cluster name and a hash of the resource group, cluster and location. Only with istio-lab:https on.");

    public static readonly ConfigKey AcmeServer = new(
        "istio-lab:acmeServer", ConfigValueType.Text, "staging",
        "Let's Encrypt directory for istio-lab:https=lets-encrypt: staging (untrusted certificates, generous rate limits) or production (trusted, strict rate limits).");

    public static readonly ConfigKey AcmeEmail = new(
        "istio-lab:acmeEmail", ConfigValueType.Text, "",
        "Contact e-mail of the Let's Encrypt account (optional); only with istio-lab:https=lets-encrypt.");

    public static readonly ConfigKey Owner = new(
        "istio-lab:owner", ConfigValueType.Text, "",
        "Who answers for the lab, written to the owner tag of every Azure resource (at most 256 characters, e.g. an e-mail address or a team); empty for no owner tag.");

    public static readonly ConfigKey Tags = new(
        "istio-lab:tags", ConfigValueType.Text, "",
        "More tags for every Azure resource, a JSON object of names to values such as {\"cost-center\":\"1234\"}; names up to 128 characters, without < > % & ? / or backslash, not starting with microsoft, azure or windows; values up to 256 characters; at most 46 tags.");

    public static readonly ConfigKey ExpiresAt = new(
        "istio-lab:expiresAt", ConfigValueType.Text, "",
        "When the expire workflow destroys the stack, an ISO 8601 UTC time such as 2026-12-31T18:00:00Z, also the expires-at tag and the expiresAt output; must be in the future; empty: never.");

    public static readonly ConfigKey Ttl = new(
        "istio-lab:ttl", ConfigValueType.Text, "",
        "A time to live such as 8h or 2d (1h to 30d), fixed once as istio-lab:expiresAt with `pulumi config set` so previews stay stable; the program refuses a ttl not yet fixed and prints the command.");

    /// <summary>All keys, in the order users read them.</summary>
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        Location, ResourceGroupName, ClusterName, KubernetesVersion, NodeCount, NodeVmSize,
        IstioRevision, IstioCanaryRevision, IstioDataPlane, StoreVariant, AppNamespace, RabbitMqUsername, RabbitMqPassword, Checks,
        Observability, GrafanaAdminObjectId, Authorization, Https, DnsLabel, AcmeServer, AcmeEmail,
        Owner, Tags, ExpiresAt, Ttl,
    ];
}
