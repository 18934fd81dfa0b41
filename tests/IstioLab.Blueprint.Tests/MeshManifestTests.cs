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

    [Fact]
    public void MissingArgumentsAreRefusedByName()
    {
        var settings = StoreManifestTests.Settings();
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => MeshManifest.ApplicationNamespace(null!, "asm-1-30")).ParamName);
        Assert.Equal("revision", Assert.Throws<ArgumentException>(() => MeshManifest.ApplicationNamespace(settings, "")).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => MeshManifest.StrictMutualTls(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => MeshManifest.StoreGateway(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => MeshManifest.StoreRoute(null!)).ParamName);
        Assert.Equal("revision", Assert.Throws<ArgumentException>(() => SharedMeshConfig.NameFor("")).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => SharedMeshConfig.Mesh(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => SharedMeshConfig.For(null!, "asm-1-30")).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => SharedMeshConfig.ForConfiguredRevisions(null!)).ParamName);
        Assert.Equal("revision", Assert.Throws<ArgumentNullException>(() => MeshRevision.MinorOf(null!)).ParamName);
    }

    [Fact]
    public void TheGatewaysHttpServerPortIsNamedHttp()
    {
        var server = Assert.Single(MeshManifest.StoreGateway(StoreManifestTests.Settings()).Spec.Servers);

        Assert.Equal("http", server.Port.Name);
    }

    [Fact]
    public void EveryMeshObjectCarriesTheStoresLabels()
    {
        var settings = StoreManifestTests.Settings();
        var expected = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "aks-store-demo", ["app.kubernetes.io/managed-by"] = "istio-lab" };

        Assert.Equal(expected, MeshManifest.StrictMutualTls(settings).Metadata.Labels);
        Assert.Equal(expected, MeshManifest.StoreGateway(settings).Metadata.Labels);
        Assert.Equal(expected, MeshManifest.StoreRoute(settings).Metadata.Labels);
        Assert.Equal(
            new Dictionary<string, string> { ["istio.io/rev"] = "asm-1-30", ["app.kubernetes.io/part-of"] = "aks-store-demo", ["app.kubernetes.io/managed-by"] = "istio-lab" },
            MeshManifest.ApplicationNamespace(settings, "asm-1-30").Metadata.Labels);
        Assert.Equal(
            new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "istio-lab", ["app.kubernetes.io/managed-by"] = "istio-lab" },
            SharedMeshConfig.For(settings, "asm-1-30").Metadata.Labels);
    }

    [Fact]
    public void TheAddOnsOwnMeshConfigMapIsIstioDashRevision()
    {
        // The add-on keeps each revision's MeshConfig in istio-<revision> in aks-istio-system; the lab writes only istio-shared-configmap-<revision>.
        Assert.Equal("istio-asm-1-30", SharedMeshConfig.AddOnConfigMapName("asm-1-30"));
        Assert.Equal("istio-shared-configmap-asm-1-30", SharedMeshConfig.NameFor("asm-1-30"));
    }
}
