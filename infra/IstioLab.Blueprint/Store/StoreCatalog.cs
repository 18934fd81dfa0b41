using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Store;

/// <summary>
/// The AKS Store Demo's workloads at release 2.1.0 (store images pinned to 2.0.0), with the changes that
/// make them safe in a STRICT-mTLS mesh. How and why: <c>docs/architecture.md</c>.
/// </summary>
public static class StoreCatalog
{
    /// <summary>The one Secret that carries RabbitMQ's user and password to every workload that needs them.</summary>
    public const string RabbitMqSecretName = "rabbitmq-credentials";
    public const string RabbitMqUsernameKey = "username";
    public const string RabbitMqPasswordKey = "password";

    /// <summary>The workload the gateway routes to and the checks request.</summary>
    public const string StoreFront = "store-front";

    /// <summary>The port store-front's Service listens on.</summary>
    public const int StoreFrontServicePort = 80;

    /// <summary>Istio's sidecar UID: traffic from it bypasses the proxy's redirection (pitfall 11).</summary>
    public const long IstioProxyUid = 1337;

    private const string Ghcr = "ghcr.io/azure-samples/aks-store-demo";
    private const string StoreTag = "2.0.0";

    /// <summary>The workloads of a variant, in a stable order: data stores, then services, then front ends, then simulators.</summary>
    public static IReadOnlyList<Workload> Workloads(StoreVariant variant) => variant switch
    {
        StoreVariant.AllInOne => [MongoDb, RabbitMq, OrderService(new Compute("100m", "256Mi")), MakelineService, ProductService, StoreFrontWorkload, StoreAdmin, VirtualCustomer, VirtualWorker],
        StoreVariant.Quickstart => [RabbitMq, OrderService(new Compute("75m", "128Mi")), ProductService, StoreFrontWorkload],
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown store variant"),
    };

    private static ProbeSpec Http(string path, int port, int? delay, int period, int failures) =>
        new(new ProbeAction.HttpGet(path, port), delay, period, failures);

    private static Workload MongoDb => new()
    {
        Name = "mongodb",
        Kind = WorkloadKind.StatefulSet,
        Image = "mcr.microsoft.com/mirror/docker/library/mongo:4.2",
        Component = "database",
        Ports = [new PortSpec("tcp", "mongodb", 27017, 27017)],
        Requests = new Compute("5m", "75Mi"),
        Limits = new Compute("25m", "1024Mi"),
        // Upstream probes with `mongo --eval db.runCommand('ping').ok` (exec, timeout 5 s) inside this 25m CPU limit: a
        // second process, the legacy JavaScript shell, that gets 2.5 ms of CPU per 100 ms period, so at most 125 ms of
        // CPU within its 5 s timeout even when mongod is idle. A TCP connect cannot time out on this container's CPU: the
        // sidecar's agent makes it (Istio rewrites TCP probes, istio.io docs/ops/configuration/mesh/app-health-check) and
        // the kernel completes the handshake from mongod's listen backlog. mongod opens 27017 once it serves. Upstream's
        // timings stay; a startup probe (5 s x 60 = 300 s) covers a start slowed by the same limit before liveness counts.
        Startup = new ProbeSpec(new ProbeAction.TcpSocket(27017), null, 5, 60, TimeoutSeconds: 5),
        Liveness = new ProbeSpec(new ProbeAction.TcpSocket(27017), 30, 10, 3, TimeoutSeconds: 5),
        Readiness = new ProbeSpec(new ProbeAction.TcpSocket(27017), 5, 5, 3, TimeoutSeconds: 5),
    };

    private static Workload RabbitMq => new()
    {
        Name = "rabbitmq",
        Kind = WorkloadKind.StatefulSet,
        Image = "mcr.microsoft.com/azurelinux/base/rabbitmq-server:3.13",
        Component = "queue",
        Ports = [new PortSpec("tcp", "amqp", 5672, 5672), new PortSpec("http", "management", 15672, 15672)],
        Requests = new Compute("10m", "128Mi"),
        Limits = new Compute("250m", "256Mi"),
        Startup = new ProbeSpec(new ProbeAction.TcpSocket(5672), 10, 10, 30),
        Readiness = new ProbeSpec(new ProbeAction.TcpSocket(5672), 5, 5, 3),
        Liveness = new ProbeSpec(new ProbeAction.TcpSocket(5672), 30, 10, 3),
        RabbitMqCredentials = [new("RABBITMQ_DEFAULT_USER", RabbitMqUsernameKey), new("RABBITMQ_DEFAULT_PASS", RabbitMqPasswordKey)],
        ConfigMaps = [new ConfigMapSpec("rabbitmq-enabled-plugins", [new("rabbitmq_enabled_plugins", "[rabbitmq_management,rabbitmq_prometheus,rabbitmq_amqp1_0].")])],
        Volumes =
        [
            new V1Volume
            {
                Name = "rabbitmq-enabled-plugins",
                ConfigMap = new V1ConfigMapVolumeSource
                {
                    Name = "rabbitmq-enabled-plugins",
                    Items = [new V1KeyToPath { Key = "rabbitmq_enabled_plugins", Path = "enabled_plugins" }],
                },
            },
        ],
        VolumeMounts = [new V1VolumeMount { Name = "rabbitmq-enabled-plugins", MountPath = "/etc/rabbitmq/enabled_plugins", SubPath = "enabled_plugins" }],
    };

    private static Workload OrderService(Compute limits) => new()
    {
        Name = "order-service",
        Kind = WorkloadKind.Deployment,
        Image = $"{Ghcr}/order-service:{StoreTag}",
        Component = "api",
        Ports = [new PortSpec("http", "", 3000, 3000)],
        Requests = new Compute("1m", "50Mi"),
        Limits = limits,
        Startup = Http("/health", 3000, 20, 10, 5),
        Readiness = Http("/health", 3000, 3, 5, 3),
        Liveness = Http("/health", 3000, 3, 3, 5),
        ConfigMaps =
        [
            new ConfigMapSpec("order-service-configs",
            [
                new("ORDER_QUEUE_HOSTNAME", "rabbitmq"),
                new("ORDER_QUEUE_PORT", "5672"),
                new("ORDER_QUEUE_NAME", "orders"),
                new("FASTIFY_ADDRESS", "0.0.0.0"),
            ]),
        ],
        EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "order-service-configs" } }],
        RabbitMqCredentials = [new("ORDER_QUEUE_USERNAME", RabbitMqUsernameKey), new("ORDER_QUEUE_PASSWORD", RabbitMqPasswordKey)],
        // AMQP 1.0 to ORDER_QUEUE_HOSTNAME:ORDER_QUEUE_PORT.
        Calls =
        [
            StoreCall.Tcp("rabbitmq", 5672).AtStart(
                "upstream holds it for RabbitMQ (init container wait-for-rabbitmq in aks-store-all-in-one.yaml and aks-store-quickstart.yaml): " +
                "plugins/messagequeue.js sends each order over a new AMQP connection without retry"),
        ],
    };

    private static Workload MakelineService => new()
    {
        Name = "makeline-service",
        Kind = WorkloadKind.Deployment,
        Image = $"{Ghcr}/makeline-service:{StoreTag}",
        Component = "api",
        Ports = [new PortSpec("http", "", 3001, 3001)],
        Requests = new Compute("1m", "6Mi"),
        Limits = new Compute("5m", "20Mi"),
        Startup = Http("/health", 3001, null, 5, 10),
        Readiness = Http("/health", 3001, 3, 5, 3),
        Liveness = Http("/health", 3001, 3, 3, 5),
        Environment =
        [
            new("ORDER_QUEUE_URI", "amqp://rabbitmq:5672"),
            new("ORDER_QUEUE_NAME", "orders"),
            new("ORDER_DB_URI", "mongodb://mongodb:27017"),
            new("ORDER_DB_NAME", "orderdb"),
            new("ORDER_DB_COLLECTION_NAME", "orders"),
        ],
        RabbitMqCredentials = [new("ORDER_QUEUE_USERNAME", RabbitMqUsernameKey), new("ORDER_QUEUE_PASSWORD", RabbitMqPasswordKey)],
        // AMQP 1.0 to ORDER_QUEUE_URI, the Mongo wire protocol to ORDER_DB_URI.
        Calls =
        [
            StoreCall.Tcp("rabbitmq", 5672).AtStart(
                "src/makeline-service/orderqueue.go dials RabbitMQ on every /order/fetch and answers 500 when it cannot, " +
                "and virtual-worker exits on a 500; makeline-service is Ready only once RabbitMQ is"),
            StoreCall.Tcp("mongodb", 27017).AtStart(
                "src/makeline-service/main.go calls os.Exit(1) when initDatabase fails, and the Mongo driver's Ping gives up after its 30 s server selection timeout"),
        ],
    };

    private static Workload ProductService => new()
    {
        Name = "product-service",
        Kind = WorkloadKind.Deployment,
        Image = $"{Ghcr}/product-service:{StoreTag}",
        Component = "api",
        Ports = [new PortSpec("http", "", 3002, 3002)],
        Requests = new Compute("1m", "1Mi"),
        Limits = new Compute("2m", "20Mi"),
        Readiness = Http("/health", 3002, 3, 5, 3),
        Liveness = Http("/health", 3002, 3, 3, 5),
        Environment = [new("AI_SERVICE_URL", "http://ai-service:5001/")],
        // Its one call, to ai-service:5001, has no callee in either variant.
        Calls = [StoreCall.Http("ai-service", 5001)],
    };

    private static Workload StoreFrontWorkload => new()
    {
        Name = StoreFront,
        Kind = WorkloadKind.Deployment,
        Image = $"{Ghcr}/store-front:{StoreTag}",
        Component = "frontend",
        Ports = [new PortSpec("http", "", 8080, StoreFrontServicePort)],
        Requests = new Compute("1m", "200Mi"),
        Limits = new Compute("1000m", "512Mi"),
        Startup = Http("/health", 8080, 5, 5, 3),
        Readiness = Http("/health", 8080, 3, 3, 3),
        Liveness = Http("/health", 8080, 3, 3, 5),
        // Its nginx proxies the browser's /api/orders and /api/products (src/store-front/nginx.conf).
        Calls = [StoreCall.Http("order-service", 3000, "POST"), StoreCall.Http("product-service", 3002, "GET")],
    };

    private static Workload StoreAdmin => new()
    {
        Name = "store-admin",
        Kind = WorkloadKind.Deployment,
        Image = $"{Ghcr}/store-admin:{StoreTag}",
        Component = "frontend",
        Ports = [new PortSpec("http", "", 8081, 80)],
        Requests = new Compute("1m", "200Mi"),
        Limits = new Compute("1000m", "512Mi"),
        Startup = Http("/health", 8081, 5, 5, 3),
        Readiness = Http("/health", 8081, 3, 5, 3),
        Liveness = Http("/health", 8081, 3, 3, 5),
        // Its nginx proxies the admin pages' API calls (src/store-admin/nginx.conf).
        Calls =
        [
            StoreCall.Http("order-service", 3000),
            StoreCall.Http("product-service", 3002),
            StoreCall.Http("makeline-service", 3001, "GET", "PUT"),
        ],
    };

    private static Workload Simulator(string name, KeyValuePair<string, string> target, StoreCall call) => new()
    {
        Name = name,
        Kind = WorkloadKind.Deployment,
        Image = $"{Ghcr}/{name}:{StoreTag}",
        Component = "load-generator",
        Requests = new Compute("1m", "1Mi"),
        Limits = new Compute("2m", "20Mi"),
        Readiness = new ProbeSpec(new ProbeAction.Exec(["cat", "/proc/1/status"]), 3, 5, 3),
        Liveness = new ProbeSpec(new ProbeAction.Exec(["cat", "/proc/1/status"]), 10, 10, 5),
        Environment = [target, new("ORDERS_PER_HOUR", "100")],
        Calls = [call],
    };

    private static Workload VirtualCustomer => Simulator("virtual-customer", new("ORDER_SERVICE_URL", "http://order-service:3000/"),
        StoreCall.Http("order-service", 3000, "POST"));

    // virtual-customer needs nothing at start: src/virtual-customer/src/main.rs only logs a failed POST and tries again.
    private static Workload VirtualWorker => Simulator("virtual-worker", new("MAKELINE_SERVICE_URL", "http://makeline-service:3001"),
        StoreCall.Http("makeline-service", 3001, "GET", "PUT").AtStart(
            "src/virtual-worker/src/main.rs fetches orders at once and exits on any non-2xx answer (error_for_status()?), " +
            "and a sidecar answers 503 no healthy upstream while makeline-service has no ready endpoint"));

    internal static V1ResourceRequirements Resources(Compute requests, Compute limits) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(requests.Cpu), ["memory"] = new(requests.Memory) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(limits.Cpu), ["memory"] = new(limits.Memory) },
    };
}
