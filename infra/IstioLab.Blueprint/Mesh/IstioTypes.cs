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
    public List<HttpMatchRequest> Match { get; set; } = [];
    public List<HttpRouteDestination> Route { get; set; } = [];
}

public sealed class HttpMatchRequest
{
    public StringMatch Uri { get; set; } = new();
}

public sealed class StringMatch
{
    public string? Prefix { get; set; }
    public string? Exact { get; set; }
}

public sealed class HttpRouteDestination
{
    public Destination Destination { get; set; } = new();
}

public sealed class Destination
{
    public string Host { get; set; } = "";
    public PortSelector Port { get; set; } = new();
}

public sealed class PortSelector
{
    public int Number { get; set; }
}
