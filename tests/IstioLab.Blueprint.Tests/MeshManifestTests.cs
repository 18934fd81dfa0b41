using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;

namespace IstioLab.Blueprint.Tests;

public class MeshManifestTests
{
    [Fact]
    public void PetsNamespaceCarriesTheClusterRevision()
    {
        var ns = MeshManifest.ApplicationNamespace(StoreManifestTests.Settings(), "asm-1-30");

        Assert.Equal("pets", ns.Metadata.Name);
        Assert.Equal("asm-1-30", ns.Metadata.Labels["istio.io/rev"]);
    }

    [Fact]
    public void NamespaceNeverUsesTheIgnoredInjectionLabel()
    {
        var ns = MeshManifest.ApplicationNamespace(StoreManifestTests.Settings(), "asm-1-30");

        Assert.False(ns.Metadata.Labels.ContainsKey("istio-injection"));
    }

    [Fact]
    public void PeerAuthenticationIsStrictForTheWholeNamespace()
    {
        var pa = MeshManifest.StrictMutualTls(StoreManifestTests.Settings(ns: "shop"));

        Assert.Equal("security.istio.io/v1", pa.ApiVersion);
        Assert.Equal("PeerAuthentication", pa.Kind);
        Assert.Equal("shop", pa.Metadata.NamespaceProperty);
        Assert.Equal("STRICT", pa.Spec.Mtls?.Mode);
    }

    [Fact]
    public void GatewayListensForHttpOnPort80ForAnyHostOnTheExternalIngress()
    {
        var gateway = MeshManifest.StoreGateway(StoreManifestTests.Settings());

        Assert.Equal("networking.istio.io/v1", gateway.ApiVersion);
        Assert.Equal("pets", gateway.Metadata.NamespaceProperty);
        Assert.Equal("aks-istio-ingressgateway-external", Assert.Single(gateway.Spec.Selector, s => s.Key == "istio").Value);
        var server = Assert.Single(gateway.Spec.Servers);
        Assert.Equal((80, "HTTP"), (server.Port.Number, server.Port.Protocol));
        Assert.Equal(["*"], server.Hosts);
    }

    [Fact]
    public void VirtualServiceRoutesEveryPathThroughTheGatewayToStoreFront()
    {
        var route = MeshManifest.StoreRoute(StoreManifestTests.Settings());
        var gateway = MeshManifest.StoreGateway(StoreManifestTests.Settings());

        Assert.Equal("networking.istio.io/v1", route.ApiVersion);
        Assert.Equal(["*"], route.Spec.Hosts);
        Assert.Equal([gateway.Metadata.Name], route.Spec.Gateways);
        var http = Assert.Single(route.Spec.Http);
        Assert.Equal("/", Assert.Single(http.Match).Uri.Prefix);
        var destination = Assert.Single(http.Route).Destination;
        Assert.Equal(("store-front", 80), (destination.Host, destination.Port.Number));
    }

    [Fact]
    public void TheRoutedPortIsAPortOfTheStoreFrontService()
    {
        var route = MeshManifest.StoreRoute(StoreManifestTests.Settings());
        var service = StoreManifestTests.Store().OfType<k8s.Models.V1Service>().Single(s => s.Metadata.Name == route.Spec.Http[0].Route[0].Destination.Host);

        Assert.Contains(service.Spec.Ports, p => p.Port == route.Spec.Http[0].Route[0].Destination.Port.Number);
    }

    [Fact]
    public void SpecTreeHasTheYamlFieldNamesAndValues()
    {
        var tree = PlainTree.Of(MeshManifest.StoreRoute(StoreManifestTests.Settings()).Spec);

        var http = Assert.IsType<List<object>>(tree["http"]);
        var first = Assert.IsType<Dictionary<string, object>>(Assert.Single(http));
        var match = Assert.IsType<Dictionary<string, object>>(Assert.Single(Assert.IsType<List<object>>(first["match"])));
        var uri = Assert.IsType<Dictionary<string, object>>(match["uri"]);
        Assert.Equal("/", uri["prefix"]);
        Assert.False(uri.ContainsKey("exact"));
        var destination = (Dictionary<string, object>)((Dictionary<string, object>)((List<object>)first["route"])[0])["destination"];
        Assert.Equal("store-front", destination["host"]);
        Assert.Equal(80, Assert.IsType<int>(((Dictionary<string, object>)destination["port"])["number"]));
    }

    [Fact]
    public void PeerAuthenticationSpecTreeIsStrict()
    {
        var tree = PlainTree.Of(MeshManifest.StrictMutualTls(StoreManifestTests.Settings()).Spec);

        Assert.Equal("STRICT", ((Dictionary<string, object>)tree["mtls"])["mode"]);
    }
}
