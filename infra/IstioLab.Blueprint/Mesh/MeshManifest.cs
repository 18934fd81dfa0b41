using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Mesh;

/// <summary>
/// The mesh objects, wired as the workshop wires them: STRICT mTLS for the application namespace, and an
/// HTTP Gateway on the add-on's external ingress gateway with a route from <c>/</c> to store-front.
/// </summary>
public static class MeshManifest
{
    /// <summary>Label the add-on puts on its external ingress gateway's pods, and the Gateway selects on.</summary>
    public const string IngressSelectorKey = "istio";
    public const string IngressSelectorValue = "aks-istio-ingressgateway-external";

    /// <summary>The add-on's external ingress gateway Service, which the lab reads and never manages.</summary>
    public const string IngressNamespace = "aks-istio-ingress";
    public const string IngressServiceName = "aks-istio-ingressgateway-external";

    public const string PeerAuthenticationName = "default";
    public const string GatewayName = "store-gateway";
    public const string VirtualServiceName = "store-front";

    /// <summary>The application namespace, labelled with the cluster's Istio revision so sidecars are injected at first start.</summary>
    public static V1Namespace ApplicationNamespace(LabSettings settings, string revision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(revision);
        var labels = new Dictionary<string, string>
        {
            [Kube.RevisionLabel] = revision,
            ["app.kubernetes.io/part-of"] = Kube.StorePartOf,
            ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
        };
        return new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = Kube.Meta(settings.AppNamespace, null, labels) };
    }

    public static PeerAuthentication StrictMutualTls(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PeerAuthentication
        {
            Metadata = Kube.Meta(PeerAuthenticationName, settings.AppNamespace, MeshLabels),
            Spec = new PeerAuthenticationSpec { Mtls = new PeerAuthenticationMutualTls { Mode = "STRICT" } },
        };
    }

    public static Gateway StoreGateway(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new Gateway
        {
            Metadata = Kube.Meta(GatewayName, settings.AppNamespace, MeshLabels),
            Spec = new GatewaySpec
            {
                Selector = new Dictionary<string, string> { [IngressSelectorKey] = IngressSelectorValue },
                Servers = settings.Https.Enabled
                    ? Https.HttpsManifest.GatewayServers(settings)
                    :
                    [
                        new GatewayServer
                        {
                            Port = new GatewayPort { Number = 80, Name = "http", Protocol = "HTTP" },
                            Hosts = ["*"],
                        },
                    ],
            },
        };
    }

    public static VirtualService StoreRoute(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new VirtualService
        {
            Metadata = Kube.Meta(VirtualServiceName, settings.AppNamespace, MeshLabels),
            Spec = new VirtualServiceSpec
            {
                Hosts = ["*"],
                Gateways = [GatewayName],
                Http = Traffic.TrafficManifest.GatewayRoutes(settings,
                [
                    // With user identity on, the admin API's routes come first (none otherwise).
                    .. Identity.GatewayAccess.Routes(settings),
                    new HttpRoute
                    {
                        Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/" } }],
                        Route =
                        [
                            new HttpRouteDestination
                            {
                                Destination = new Destination
                                {
                                    Host = StoreCatalog.StoreFront,
                                    Port = new PortSelector { Number = StoreCatalog.StoreFrontServicePort },
                                },
                            },
                        ],
                    },
                ]),
            },
        };
    }

    private static Dictionary<string, string> MeshLabels => new()
    {
        ["app.kubernetes.io/part-of"] = Kube.StorePartOf,
        ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
    };
}
