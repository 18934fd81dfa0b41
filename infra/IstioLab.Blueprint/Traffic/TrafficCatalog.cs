using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Traffic;

/// <summary>
/// The facts traffic management relies on, with their sources. Everything else (which routes, which subsets,
/// which rules) is derived from these and from <see cref="StoreCatalog"/>.
/// </summary>
public static class TrafficCatalog
{
    /// <summary>
    /// The store release after the one the lab pins (2.0.0). Azure-Samples/aks-store-demo release 2.2.0 runs
    /// <c>ghcr.io/azure-samples/aks-store-demo/store-front:2.1.0</c> (aks-store-quickstart.yaml and
    /// aks-store-all-in-one.yaml at tag 2.2.0), with a store-front Deployment identical to release 2.1.0's except for
    /// the image; the repository's main branch has since moved to 2.2.0.
    /// </summary>
    public const string DefaultCanaryImageTag = "2.1.0";

    /// <summary>The workload that gets a second version: the one the gateway routes to.</summary>
    public const string CanaryWorkload = StoreCatalog.StoreFront;

    /// <summary>The second version's Deployment: <c>store-front-v2</c>.</summary>
    public const string CanaryDeploymentName = CanaryWorkload + "-v2";

    /// <summary>
    /// The pod label that names a version, <c>v1</c> or <c>v2</c>, for people and for Kiali, whose default
    /// <c>istio_labels</c> are <c>app</c> and <c>version</c> (kiali.io docs, configuration/istio, "Labels and resource names").
    /// </summary>
    public const string VersionLabel = "version";

    /// <summary>
    /// The pod label the subsets select on: the release (image tag) every store pod carries from its first deployment,
    /// which is also Istio's canonical revision (istio/istio pkg/kube/labels/labels.go). Not <see cref="VersionLabel"/>:
    /// adding or removing the canary adds or removes <c>version: v1</c> on store-front's pods, and they roll while the
    /// gateway route still names subset v1. Selecting on the release keeps subset v1's endpoints through that rollout
    /// in both directions, so turning the canary on or off never leaves a subset empty.
    /// </summary>
    public const string SubsetLabel = "app.kubernetes.io/version";

    public const string StableSubset = "v1";
    public const string CanarySubset = "v2";

    /// <summary>The response header each gateway route sets to the subset that served the request.</summary>
    public const string VersionHeader = "x-store-version";

    /// <summary>
    /// The product API behind the front end: the store front's nginx proxies the browser's <c>/api/products</c> to
    /// <c>http://product-service:3002</c> (aks-store-demo src/store-front/nginx.conf at tags 2.1.0 and 2.2.0), and the
    /// home page loads the product list from it. Faults are injected into this call, at the store front's sidecar.
    /// </summary>
    public const string FaultTarget = "product-service";

    /// <summary>Whose calls to <see cref="FaultTarget"/> get the faults: the front end's, never a check's.</summary>
    public const string FaultCaller = StoreCatalog.StoreFront;

    /// <summary>
    /// The path through the gateway that reaches <see cref="FaultTarget"/> via the front end. The abort shows there only
    /// if nginx passes product-service's status through: nginx.conf sets no <c>proxy_intercept_errors</c>, so its
    /// <c>error_page</c> covers only nginx's own errors. UNCONFIRMED on a live cluster; if it is wrong, the traffic
    /// check's <c>abort</c> property fails loudly (no aborts counted).
    /// </summary>
    public const string FaultPath = "api/products";

    public const int DefaultAbortStatus = 503;
    public const int MinAbortStatus = 400;
    public const int MaxAbortStatus = 599;

    /// <summary>
    /// What the gateway answers when a route's timeout expires: 504, "upstream request timeout" (istio.io task
    /// traffic-management/request-timeouts).
    /// </summary>
    public const int TimeoutStatus = 504;

    public static readonly TimeSpan DefaultFaultDelay = TimeSpan.FromSeconds(5);

    /// <summary>Shorter delays cannot be told apart from a slow response through the public load balancer.</summary>
    public static readonly TimeSpan MinFaultDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay the traffic check can wait for (see <see cref="TrafficCheck.RequestTimeoutSeconds"/>).</summary>
    public static readonly TimeSpan MaxFaultDelay = TimeSpan.FromSeconds(20);

    /// <summary>Route timeouts and per-try timeouts: at least 1 ms (Istio's minimum), at most 10 minutes.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public const int MaxRetryAttempts = 10;

    /// <summary>
    /// The conditions a retry may name: Envoy's router retry policies (envoyproxy.io, router filter,
    /// x-envoy-retry-on and x-envoy-retry-grpc-on), which Istio's HTTPRetry.retryOn takes as a comma-separated list
    /// (istio/api networking/v1alpha3/virtual_service.proto), besides plain HTTP status codes.
    /// </summary>
    public static IReadOnlyList<string> RetryConditions { get; } =
    [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx",
        "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ];

    /// <summary>
    /// The HTTP statuses a retry condition retries (Envoy router filter docs): <c>5xx</c> every 5xx,
    /// <c>gateway-error</c> 502, 503 and 504, <c>retriable-4xx</c> 409, a number itself.
    /// </summary>
    public static bool Retries(string condition, int status) => condition switch
    {
        "5xx" => status is >= 500 and <= 599,
        "gateway-error" => status is 502 or 503 or 504,
        "retriable-4xx" => status == 409,
        _ => int.TryParse(condition, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code == status,
    };

    /// <summary>
    /// Circuit breaking when on: connection-pool limits and outlier detection for each called service. The limits sit
    /// far above the store's own traffic and the traffic check's <see cref="TrafficCheck.Parallel"/> requests, so only
    /// a real overload trips them; outlier detection ejects an endpoint after 5 consecutive 5xx for 30 s (Istio's
    /// defaults for consecutive5xxErrors and baseEjectionTime, istio/api destination_rule.proto), checked every 10 s.
    /// </summary>
    public const int MaxConnections = 100;
    public const int Http1MaxPendingRequests = 100;
    public const int Http2MaxRequests = 100;
    public const int Consecutive5xxErrors = 5;
    public const string OutlierInterval = "10s";
    public const string BaseEjectionTime = "30s";
    public const int MaxEjectionPercent = 100;
}
