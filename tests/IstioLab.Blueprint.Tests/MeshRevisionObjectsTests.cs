using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The namespace label, the pod templates and the shared MeshConfig follow the revision settings.</summary>
public class MeshRevisionObjectsTests
{
    private static LabSettings Parse(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static LabSettings Canary(string? dataPlane = null) => dataPlane is null
        ? Parse(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"))
        : Parse(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"), ("istio-lab:istioDataPlane", dataPlane));

    private static IEnumerable<V1PodTemplateSpec> PodTemplates(LabSettings settings) =>
        StoreManifest.Build(settings).Select(o => o switch
        {
            V1Deployment d => d.Spec.Template,
            V1StatefulSet s => s.Spec.Template,
            _ => null,
        }).OfType<V1PodTemplateSpec>();

    private static List<object> Rendered(LabSettings settings) =>
        LabManifest.Load(LabManifest.ToYaml(LabManifest.Build(settings, settings.DataPlaneRevision ?? LabManifest.RevisionPlaceholder, "pw", "20.0.0.1")));

    [Theory]
    [InlineData(null, "asm-1-30")]
    [InlineData("canary", "asm-1-30")]
    [InlineData("stable", "asm-1-29")]
    public void EveryStorePodTemplateCarriesTheDataPlaneRevision(string? dataPlane, string expected)
    {
        var templates = PodTemplates(Canary(dataPlane)).ToList();

        Assert.Equal(9, templates.Count);
        Assert.All(templates, t => Assert.Equal(expected, t.Metadata.Annotations[Kube.MeshRevisionAnnotation]));
    }

    [Fact]
    public void CompletingTheUpgradeLeavesEveryPodTemplateUnchanged()
    {
        var during = LabManifest.StoreYaml(Canary());
        var completed = LabManifest.StoreYaml(Parse(("istio-lab:istioRevision", "asm-1-30")));

        Assert.Equal(during, completed);
    }

    [Fact]
    public void TheRenderedNamespaceIsLabelledWithTheDataPlaneRevision()
    {
        var ns = Assert.Single(Rendered(Canary("stable")).OfType<V1Namespace>(), n => n.Metadata.Name == "pets");

        Assert.Equal("asm-1-29", ns.Metadata.Labels[Kube.RevisionLabel]);
    }

    [Fact]
    public void EveryRevisionTheClusterRunsHasItsSharedMeshConfigInTheAddOnsNamespace()
    {
        var maps = SharedMeshConfig.ForConfiguredRevisions(Canary());

        Assert.Equal(["istio-shared-configmap-asm-1-29", "istio-shared-configmap-asm-1-30"], maps.Select(m => m.Metadata.Name));
        Assert.All(maps, m => Assert.Equal("aks-istio-system", m.Metadata.NamespaceProperty));
        Assert.All(maps, m => Assert.Equal(["mesh"], m.Data.Keys));
    }

    [Fact]
    public void TheAddOnsOwnMeshConfigIsNeverAmongTheLabsObjects()
    {
        var settings = Canary();
        var names = Rendered(settings).OfType<V1ConfigMap>().Where(m => m.Metadata.NamespaceProperty == SharedMeshConfig.Namespace).Select(m => m.Metadata.Name).ToList();

        Assert.Equal(2, names.Count);
        Assert.All(settings.MeshRevisions, r => Assert.DoesNotContain(SharedMeshConfig.AddOnConfigMapName(r), names));
    }

    [Fact]
    public void TheMeshConfigLogsAccessAsJsonToStdoutAndHoldsAppsUntilTheirProxyStarts()
    {
        var text = SharedMeshConfig.For(Canary(), "asm-1-30").Data["mesh"];

        var mesh = KubernetesYaml.Deserialize<MeshConfigData>(text, strict: true);
        Assert.Equal("/dev/stdout", mesh.AccessLogFile);
        Assert.Equal("JSON", mesh.AccessLogEncoding);
        Assert.True(mesh.DefaultConfig?.HoldApplicationUntilProxyStarts);
        Assert.Contains("accessLogFile: /dev/stdout", text, StringComparison.Ordinal);
        Assert.Contains("holdApplicationUntilProxyStarts: true", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNoRevisionConfiguredTheRenderNamesTheMeshConfigAfterThePlaceholder()
    {
        var maps = Rendered(LabSettings.Defaults).OfType<V1ConfigMap>().Where(m => m.Metadata.NamespaceProperty == SharedMeshConfig.Namespace);

        Assert.Equal(SharedMeshConfig.NameFor(LabManifest.RevisionPlaceholder), Assert.Single(maps).Metadata.Name);
    }

    [Fact]
    public void TheMeshConfigComesBeforeTheNamespaceWhoseSidecarsItConfigures()
    {
        var objects = Rendered(Canary());

        var lastMeshConfig = objects.FindLastIndex(o => o is V1ConfigMap m && m.Metadata.NamespaceProperty == SharedMeshConfig.Namespace);
        var appNamespace = objects.FindIndex(o => o is V1Namespace n && n.Metadata.Name == "pets");
        Assert.True(lastMeshConfig >= 0 && lastMeshConfig < appNamespace);
    }
}
