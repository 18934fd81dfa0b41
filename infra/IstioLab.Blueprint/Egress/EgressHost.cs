using System.Globalization;

namespace IstioLab.Blueprint.Egress;

/// <summary>
/// One external host the store may call (<c>istio-lab:egressHosts</c>): a DNS name, or a leading <c>*.</c> wildcard
/// over a domain's subdomains, and the port it is called on. The port decides the protocol the sidecar expects there.
/// </summary>
public sealed record EgressHost(string Host, int Port)
{
    /// <summary>The port when an entry names none: HTTPS.</summary>
    public const int DefaultPort = 443;

    /// <summary>The only wildcard Istio's <c>ServiceEntry.hosts</c> takes: a prefix (istio/api service_entry.proto, "DNS name with wildcard prefix").</summary>
    public const string WildcardPrefix = "*.";

    /// <summary>
    /// The ports on which the store speaks plain HTTP to the outside: the sidecar routes them by the Host header
    /// (ServiceEntry protocol HTTP). Every other port is TLS, routed by the SNI of the client's hello without being
    /// decrypted (protocol TLS: "routed based on the SNI header to the destination without terminating the TLS
    /// connection", istio/api networking/v1alpha3/service_entry.proto, ServicePort.protocol).
    /// </summary>
    public static IReadOnlySet<int> PlainHttpPorts { get; } = new HashSet<int> { 80 };

    public bool IsWildcard => Host.StartsWith(WildcardPrefix, StringComparison.Ordinal);

    /// <summary><c>HTTP</c> on <see cref="PlainHttpPorts"/>, <c>TLS</c> elsewhere: the ServiceEntry port's protocol.</summary>
    public string Protocol => PlainHttpPorts.Contains(Port) ? "HTTP" : "TLS";

    /// <summary>The URL scheme a client uses on this port.</summary>
    public string Scheme => Protocol == "HTTP" ? "http" : "https";

    /// <summary>The URL of the host's root, with the port only where the scheme does not imply it; null for a wildcard, which names no one host.</summary>
    public string? Url => IsWildcard
        ? null
        : (Scheme, Port) is ("http", 80) or ("https", 443)
            ? $"{Scheme}://{Host}/"
            : $"{Scheme}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/";

    /// <summary>Whether a call to <paramref name="name"/> on <paramref name="port"/> matches this entry, as Istio matches hosts: a wildcard covers every name below its domain, not the domain itself.</summary>
    public bool Covers(string name, int port)
    {
        ArgumentNullException.ThrowIfNull(name);
        return port == Port && (IsWildcard
            ? name.EndsWith(Host[1..], StringComparison.Ordinal) && name.Length > Host.Length - 1
            : name == Host);
    }

    /// <summary>The spelling <c>host:port</c>, as users write it.</summary>
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
