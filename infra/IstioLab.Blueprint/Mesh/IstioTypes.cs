namespace IstioLab.Blueprint.Mesh;

// Typed Istio resources: KubernetesClient has no Istio models, so these hold the fields the lab sets, with
// names that serialize (camelCase) to the Istio API's. Strict YAML loading rejects any field not declared here.

/// <summary>An Istio custom resource: apiVersion, kind, metadata and a typed spec.</summary>
public abstract class IstioObject<TSpec> : SpecObject<TSpec>
    where TSpec : new()
{
}

public sealed class PeerAuthentication : IstioObject<PeerAuthenticationSpec>
{
    public PeerAuthentication()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "security.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "PeerAuthentication";
}

public sealed class PeerAuthenticationSpec
{
    public PeerAuthenticationMutualTls? Mtls { get; set; }
}

public sealed class PeerAuthenticationMutualTls
{
    /// <summary>STRICT, PERMISSIVE, DISABLE or UNSET.</summary>
    public string? Mode { get; set; }
}

public sealed class Gateway : IstioObject<GatewaySpec>
{
    public Gateway()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "networking.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "Gateway";
}

public sealed class GatewaySpec
{
    public Dictionary<string, string> Selector { get; set; } = [];
    public List<GatewayServer> Servers { get; set; } = [];
}

public sealed class GatewayServer
{
    public GatewayPort Port { get; set; } = new();
    public List<string> Hosts { get; set; } = [];
    public ServerTlsSettings? Tls { get; set; }
}

/// <summary>A Gateway server's TLS: a redirect of plain HTTP, or the certificate an HTTPS server presents.</summary>
public sealed class ServerTlsSettings
{
    /// <summary>On an HTTP server: answer every request with a 301 to the same URL over HTTPS.</summary>
    public bool? HttpsRedirect { get; set; }

    /// <summary>SIMPLE (server TLS), MUTUAL, ISTIO_MUTUAL or PASSTHROUGH.</summary>
    public string? Mode { get; set; }

    /// <summary>A <c>kubernetes.io/tls</c> Secret in the gateway's own namespace.</summary>
    public string? CredentialName { get; set; }
}

public sealed class GatewayPort
{
    public int Number { get; set; }
    public string Name { get; set; } = "";
    public string Protocol { get; set; } = "";
}

public sealed class VirtualService : IstioObject<VirtualServiceSpec>
{
    public VirtualService()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "networking.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "VirtualService";
}

public sealed class VirtualServiceSpec
{
    public List<string> Hosts { get; set; } = [];
    public List<string> Gateways { get; set; } = [];
    public List<HttpRoute> Http { get; set; } = [];
}

public sealed class HttpRoute
{
    /// <summary>The route's name in the proxies' config and access logs.</summary>
    public string? Name { get; set; }

    public List<HttpMatchRequest> Match { get; set; } = [];
    public List<HttpRouteDestination> Route { get; set; } = [];

    /// <summary>Bounds the whole request, retries included (a Duration such as <c>2s</c>); unset: no timeout.</summary>
    public string? Timeout { get; set; }

    public HttpRetry? Retries { get; set; }

    /// <summary>Applied by the client's proxy; Istio enables no timeout or retries on a route with a fault.</summary>
    public HttpFaultInjection? Fault { get; set; }
}

public sealed class HttpMatchRequest
{
    public StringMatch Uri { get; set; } = new();

    /// <summary>Request headers (lowercase names) and how their values must match.</summary>
    public Dictionary<string, StringMatch>? Headers { get; set; }

    /// <summary>Labels of the calling workload: the route applies only to calls from its proxies.</summary>
    public Dictionary<string, string>? SourceLabels { get; set; }
}

/// <summary>Istio's HTTPRetry: <c>attempts</c>, <c>perTryTimeout</c>, <c>retryOn</c>.</summary>
public sealed class HttpRetry
{
    public int Attempts { get; set; }
    public string? PerTryTimeout { get; set; }
    public string? RetryOn { get; set; }
}

/// <summary>Istio's HTTPFaultInjection: a delay, an abort, or both, each on a percentage of requests.</summary>
public sealed class HttpFaultInjection
{
    public FaultDelay? Delay { get; set; }
    public FaultAbort? Abort { get; set; }
}

public sealed class FaultDelay
{
    public string FixedDelay { get; set; } = "";
    public Percent Percentage { get; set; } = new();
}

public sealed class FaultAbort
{
    public int HttpStatus { get; set; }
    public Percent Percentage { get; set; } = new();
}

public sealed class Percent
{
    public double Value { get; set; }
}

/// <summary>Header operations on a route destination's request or response.</summary>
public sealed class RouteHeaders
{
    public HeaderOperations? Request { get; set; }
    public HeaderOperations? Response { get; set; }
}

public sealed class HeaderOperations
{
    public Dictionary<string, string>? Set { get; set; }
}

public sealed class StringMatch
{
    public string? Prefix { get; set; }
    public string? Exact { get; set; }
}

public sealed class HttpRouteDestination
{
    public Destination Destination { get; set; } = new();

    /// <summary>This destination's share of the route's traffic; unset for a route's only destination.</summary>
    public int? Weight { get; set; }

    public RouteHeaders? Headers { get; set; }
}

public sealed class Destination
{
    public string Host { get; set; } = "";

    /// <summary>A subset the host's DestinationRule names.</summary>
    public string? Subset { get; set; }

    public PortSelector Port { get; set; } = new();
}

public sealed class PortSelector
{
    public int Number { get; set; }
}

public sealed class DestinationRule : IstioObject<DestinationRuleSpec>
{
    public DestinationRule()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "networking.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "DestinationRule";
}

public sealed class DestinationRuleSpec
{
    public string Host { get; set; } = "";
    public TrafficPolicy? TrafficPolicy { get; set; }
    public List<Subset>? Subsets { get; set; }
}

/// <summary>A named group of the host's endpoints, chosen by pod labels.</summary>
public sealed class Subset
{
    public string Name { get; set; } = "";
    public Dictionary<string, string> Labels { get; set; } = [];
}

public sealed class TrafficPolicy
{
    public ConnectionPoolSettings? ConnectionPool { get; set; }
    public OutlierDetection? OutlierDetection { get; set; }
}

public sealed class ConnectionPoolSettings
{
    public TcpSettings? Tcp { get; set; }
    public HttpSettings? Http { get; set; }
}

public sealed class TcpSettings
{
    public int? MaxConnections { get; set; }
    public string? ConnectTimeout { get; set; }
}

public sealed class HttpSettings
{
    public int? Http1MaxPendingRequests { get; set; }
    public int? Http2MaxRequests { get; set; }
    public int? MaxRequestsPerConnection { get; set; }
    public int? MaxRetries { get; set; }
}

public sealed class OutlierDetection
{
    public int? Consecutive5xxErrors { get; set; }
    public string? Interval { get; set; }
    public string? BaseEjectionTime { get; set; }
    public int? MaxEjectionPercent { get; set; }
}
