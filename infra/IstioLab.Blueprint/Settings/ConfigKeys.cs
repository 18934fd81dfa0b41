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
        "Istio add-on revision the cluster runs, asm-1-<minor>, one that `az aks mesh get-revisions --location <region>` lists today (the program checks it against Azure's list at every preview); the stable one during a canary upgrade; empty lets the add-on install its default, and the namespace label follows the cluster.");

    public static readonly ConfigKey IstioCanaryRevision = new(
        "istio-lab:istioCanaryRevision", ConfigValueType.Text, "",
        "Starts a canary upgrade to this revision (asm-1-<minor>, one or two minors above istio-lab:istioRevision, which must be set, and an upgrade `az aks mesh get-upgrades` lists): the cluster runs both control planes; empty when no upgrade is under way.");

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

    public static readonly ConfigKey Egress = new(
        "istio-lab:egress", ConfigValueType.Text, "open",
        "Calls from the store to hosts outside the cluster: open (any host, as in the workshop) or allow-list (only the hosts of istio-lab:egressHosts; the store's sidecars block every other one, and the egress check proves it).");

    public static readonly ConfigKey EgressHosts = new(
        "istio-lab:egressHosts", ConfigValueType.Text, "",
        "The external hosts the store may call with istio-lab:egress=allow-list, comma-separated: lowercase DNS names, optionally behind a leading '*.' and with a ':port' (443 when left out, called over TLS; port 80 as plain HTTP), e.g. api.example.com,*.blob.core.windows.net; empty allows none.");

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

    public static readonly ConfigKey WorkshopStep = new(
        "istio-lab:workshopStep", ConfigValueType.Text, "",
        "Build the workshop up to and including one step, to walk it one pulumi up at a time: 1 the cluster with the Istio add-on, 2 the store in the mesh (still permissive), 3 STRICT mTLS, 4 the ingress gateway, 5 observing the mesh; empty builds the whole lab. Features beyond the workshop need 5 or empty.");
    public static readonly ConfigKey NodeSshAccess = new(
        "istio-lab:nodeSshAccess", ConfigValueType.Text, "",
        "SSH access to the nodes (the node pool's securityProfile.sshAccess): disabled or localuser, both an AKS preview that needs the subscription's DisableSSHPreview feature registered (see docs/troubleshooting.md); empty sends no sshAccess and AKS keeps its default.");

    public static readonly ConfigKey UserAuth = new(
        "istio-lab:userAuth", ConfigValueType.Text, "off",
        "End-user identity at the ingress gateway: off (every request is anonymous, as in the workshop), lab-issuer (the stack's own signing key and JWKS; tokens for a customer and an admin in the outputs) or entra (Microsoft Entra ID v2.0 tokens); browsing stays public, placing an order needs a valid token, the admin API needs the admin role.");

    public static readonly ConfigKey EntraTenantId = new(
        "istio-lab:entraTenantId", ConfigValueType.Text, "",
        "Microsoft Entra tenant ID (a GUID) whose v2.0 tokens the gateway accepts; empty for the tenant of the principal that runs pulumi up. Only with istio-lab:userAuth=entra.");

    public static readonly ConfigKey EntraAudience = new(
        "istio-lab:entraAudience", ConfigValueType.Text, "",
        "The audience (aud) the gateway requires in Entra tokens: the application (client) ID or application ID URI of your API's app registration; required with istio-lab:userAuth=entra, only then.");

    public static readonly ConfigKey CanaryWeight = new(
        "istio-lab:canaryWeight", ConfigValueType.Text, "",
        "Canary release of the store front: the percentage (0-100) of the gateway's traffic sent to store-front-v2, the rest to v1; empty for no canary and no v2.");

    public static readonly ConfigKey CanaryImageTag = new(
        "istio-lab:canaryImageTag", ConfigValueType.Text, Traffic.TrafficCatalog.DefaultCanaryImageTag,
        "Store release (image tag of ghcr.io/azure-samples/aks-store-demo/store-front) that store-front-v2 runs; only used with istio-lab:canaryWeight.");

    public static readonly ConfigKey AbHeader = new(
        "istio-lab:abHeader", ConfigValueType.Text, "",
        "A/B routing as name=value (e.g. x-store-variant=b): requests with that header always reach store-front-v2, others follow the weights; needs istio-lab:canaryWeight; empty for none.");

    public static readonly ConfigKey FaultAbortPercent = new(
        "istio-lab:faultAbortPercent", ConfigValueType.Text, "",
        "Fault injection: the percentage (0-100) of the store front's calls to its product API (product-service) answered with istio-lab:faultAbortStatus instead; empty for none.");

    public static readonly ConfigKey FaultAbortStatus = new(
        "istio-lab:faultAbortStatus", ConfigValueType.WholeNumber, "503",
        "HTTP status (400-599) of the injected aborts; only with istio-lab:faultAbortPercent.");

    public static readonly ConfigKey FaultDelayPercent = new(
        "istio-lab:faultDelayPercent", ConfigValueType.Text, "",
        "Fault injection: the percentage (0-100) of the store front's calls to its product API held for istio-lab:faultDelay first; empty for none.");

    public static readonly ConfigKey FaultDelay = new(
        "istio-lab:faultDelay", ConfigValueType.Text, "5s",
        "How long injected delays last, 1s-20s (e.g. 5s, 2500ms); only with istio-lab:faultDelayPercent.");

    public static readonly ConfigKey Timeout = new(
        "istio-lab:timeout", ConfigValueType.Text, "",
        "Timeout of every route to the store's HTTP services (the gateway's to the store front, and the in-mesh ones), e.g. 3s: the caller gets 504 after it; empty for none (Istio's default).");

    public static readonly ConfigKey Retries = new(
        "istio-lab:retries", ConfigValueType.Text, "",
        "Retries (1-10) on every route to the store's HTTP services, with istio-lab:retryPerTryTimeout and istio-lab:retryOn; empty for Istio's default retry policy.");

    public static readonly ConfigKey RetryPerTryTimeout = new(
        "istio-lab:retryPerTryTimeout", ConfigValueType.Text, "",
        "Bound of each try (e.g. 1s), at most istio-lab:timeout; only with istio-lab:retries; empty for the route's timeout.");

    public static readonly ConfigKey RetryOn = new(
        "istio-lab:retryOn", ConfigValueType.Text, "",
        "What is retried: Envoy retry conditions and status codes, comma-separated (e.g. connect-failure,refused-stream,503); only with istio-lab:retries; empty for Istio's default conditions.");

    public static readonly ConfigKey CircuitBreaker = new(
        "istio-lab:circuitBreaker", ConfigValueType.TrueOrFalse, "false",
        "Circuit breaking for the services the store's workloads call: connection-pool limits and outlier detection (an endpoint that answers 5 consecutive 5xx is ejected for 30s).");

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
        WorkshopStep, Location, ResourceGroupName, ClusterName, KubernetesVersion, NodeCount, NodeVmSize, NodeSshAccess,
        IstioRevision, IstioCanaryRevision, IstioDataPlane, StoreVariant, AppNamespace, RabbitMqUsername, RabbitMqPassword, Checks,
        Observability, GrafanaAdminObjectId, Authorization, Egress, EgressHosts, Https, DnsLabel, AcmeServer, AcmeEmail,
        UserAuth, EntraTenantId, EntraAudience,
        CanaryWeight, CanaryImageTag, AbHeader, FaultAbortPercent, FaultAbortStatus, FaultDelayPercent, FaultDelay,
        Timeout, Retries, RetryPerTryTimeout, RetryOn, CircuitBreaker,
        Owner, Tags, ExpiresAt, Ttl,
    ];
}
