namespace IstioLab.Blueprint.Mesh;

// The Istio egress resources the lab sets, typed like those of IstioTypes.cs (networking.istio.io/v1; fields as
// istio/api networking/v1alpha3/sidecar.proto and service_entry.proto name them). Strict YAML loading rejects any
// field not declared here.

/// <summary>
/// How the sidecars of one namespace (no workload selector: every workload in it) handle traffic. The lab sets only the
/// outbound policy, so the sidecars keep reaching every service the namespace sees, as without it.
/// </summary>
public sealed class Sidecar : IstioObject<SidecarSpec>
{
    public Sidecar()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "networking.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "Sidecar";
}

public sealed class SidecarSpec
{
    public OutboundTrafficPolicy? OutboundTrafficPolicy { get; set; }
}

public sealed class OutboundTrafficPolicy
{
    /// <summary>
    /// REGISTRY_ONLY: only hosts in the mesh's registry (Services, ServiceEntries) are reachable; calls to any other go
    /// to Envoy's BlackHoleCluster. ALLOW_ANY (Istio's default): they go to the PassthroughCluster, the address the
    /// application asked for.
    /// </summary>
    public string? Mode { get; set; }
}

/// <summary>A host outside the mesh added to its registry, so that sidecars in REGISTRY_ONLY mode let calls to it through.</summary>
public sealed class ServiceEntry : IstioObject<ServiceEntrySpec>
{
    public ServiceEntry()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "networking.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "ServiceEntry";
}

public sealed class ServiceEntrySpec
{
    /// <summary>DNS names, each optionally with a leading <c>*.</c>; matched against the Host header (HTTP) or the SNI (TLS).</summary>
    public List<string> Hosts { get; set; } = [];

    public List<ServiceEntryPort> Ports { get; set; } = [];

    /// <summary>MESH_EXTERNAL (no sidecar at the other end: no mTLS) or MESH_INTERNAL.</summary>
    public string? Location { get; set; }

    /// <summary>DNS (the proxy resolves the host itself), NONE (it forwards to the address the application resolved), STATIC, DNS_ROUND_ROBIN or DYNAMIC_DNS.</summary>
    public string? Resolution { get; set; }

    /// <summary>The namespaces whose sidecars see the entry; <c>.</c> is the entry's own namespace. Unset: every namespace.</summary>
    public List<string>? ExportTo { get; set; }
}

public sealed class ServiceEntryPort
{
    public int Number { get; set; }

    /// <summary>HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP or TLS.</summary>
    public string Protocol { get; set; } = "";

    public string Name { get; set; } = "";
}
