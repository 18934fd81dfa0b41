using System.Globalization;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Egress;

/// <summary>
/// Nothing leaves the store unless listed (<c>istio-lab:egress=allow-list</c>): one <see cref="ServiceEntry"/> per listed
/// host, seen only by the store's namespace, and the namespace's <see cref="Sidecar"/> whose outbound policy is
/// REGISTRY_ONLY, so its sidecars send a call to any host the registry does not know to Envoy's BlackHoleCluster.
/// With <c>open</c>, nothing.
/// <para>
/// Why a Sidecar and not the mesh-wide MeshConfig field: the AKS add-on supports <c>outboundTrafficPolicy</c> in MeshConfig
/// and says it is "also configurable in Sidecar CR" (AKS docs articles/aks/istio-meshconfig.md, table "MeshConfig").
/// The namespace-wide Sidecar locks only the store's pods down: the add-on's own gateways and every other namespace of
/// the cluster keep their behaviour, and the shared MeshConfig, which a canary upgrade copies per revision, is untouched.
/// </para>
/// </summary>
public static class EgressManifest
{
    /// <summary>The namespace's one Sidecar without a workload selector (a namespace may hold only one: istio/api sidecar.proto).</summary>
    public const string SidecarName = "default";

    public const string RegistryOnly = "REGISTRY_ONLY";
    public const string MeshExternal = "MESH_EXTERNAL";

    /// <summary>The proxy resolves the listed name itself and connects to what DNS answers, never to an address the application chose.</summary>
    public const string ResolveByDns = "DNS";

    /// <summary>
    /// For a wildcard, which names no one host to resolve ("the proxy will resolve the DNS address specified in the hosts
    /// field, if wildcards are not used", service_entry.proto, Resolution.DNS), the proxy forwards the call to the address
    /// the application resolved, once its SNI or Host header matches (the proto's own wildcard example uses NONE).
    /// DYNAMIC_DNS would resolve the name from the SNI, but only recent Istio releases have it.
    /// </summary>
    public const string ForwardAsResolved = "NONE";

    /// <summary>The reserved <c>exportTo</c> value for the entry's own namespace (service_entry.proto, export_to).</summary>
    public const string OwnNamespace = ".";

    /// <summary>
    /// The ServiceEntry of one host: <c>egress.&lt;host&gt;</c>, or <c>egress-wildcard.&lt;domain&gt;</c> for
    /// <c>*.&lt;domain&gt;</c>. Distinct hosts get distinct names, and a name is a valid DNS-1123 subdomain whenever the host is.
    /// </summary>
    public static string ServiceEntryName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.StartsWith(EgressHost.WildcardPrefix, StringComparison.Ordinal)
            ? "egress-wildcard." + host[EgressHost.WildcardPrefix.Length..]
            : "egress." + host;
    }

    /// <summary>The store namespace's Sidecar: outbound calls only to hosts the registry knows.</summary>
    public static Sidecar LockedSidecar(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new Sidecar
        {
            Metadata = Kube.Meta(SidecarName, settings.AppNamespace, Labels),
            Spec = new SidecarSpec { OutboundTrafficPolicy = new OutboundTrafficPolicy { Mode = RegistryOnly } },
        };
    }

    /// <summary>
    /// One entry per listed host, in the order of first mention, with every port listed for it: 443 and any other port
    /// as TLS, port 80 as HTTP (<see cref="EgressHost.Protocol"/>).
    /// </summary>
    public static IReadOnlyList<ServiceEntry> ServiceEntries(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. settings.EgressHosts.GroupBy(h => h.Host, StringComparer.Ordinal).Select(ports =>
        {
            var first = ports.First();
            return new ServiceEntry
            {
                Metadata = Kube.Meta(ServiceEntryName(first.Host), settings.AppNamespace, Labels),
                Spec = new ServiceEntrySpec
                {
                    Hosts = [first.Host],
                    Ports = [.. ports.Select(p => new ServiceEntryPort
                    {
                        Number = p.Port,
                        Protocol = p.Protocol,
                        Name = $"{p.Protocol.ToLowerInvariant()}-{p.Port.ToString(CultureInfo.InvariantCulture)}",
                    })],
                    Location = MeshExternal,
                    Resolution = first.IsWildcard ? ForwardAsResolved : ResolveByDns,
                    ExportTo = [OwnNamespace],
                },
            };
        })];
    }

    /// <summary>
    /// Everything of the stack, in the order it must exist: the entries first, then the Sidecar, so that switching a
    /// running store to the allow-list never blocks a listed host. Empty with <see cref="EgressMode.Open"/>.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Egress == EgressMode.Open ? [] : [.. ServiceEntries(settings), LockedSidecar(settings)];
    }

    private static Dictionary<string, string> Labels => new()
    {
        ["app.kubernetes.io/part-of"] = Kube.StorePartOf,
        ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
    };
}
