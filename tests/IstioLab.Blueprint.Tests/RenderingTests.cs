using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public class RenderingTests
{
    private static string Render(string variant = "all-in-one", string? revision = "asm-1-30") =>
        LabManifest.ToYaml(LabManifest.Build(StoreManifestTests.Settings(variant, revision), revision ?? LabManifest.RevisionPlaceholder, "pw", "20.1.2.3"));

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void SameSettingsRenderByteIdenticalYaml(string variant)
    {
        Assert.Equal(Render(variant), Render(variant));
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void EveryDocumentLoadsBackStrictlyAsItsTypedObject(string variant)
    {
        var yaml = Render(variant);

        var loaded = LabManifest.Load(yaml);

        Assert.Equal(yaml.Split("\n---\n").Length, loaded.Count);
        Assert.DoesNotContain(loaded, o => o.GetType() == typeof(object) || o is Dictionary<object, object>);
        Assert.Equal(yaml, LabManifest.ToYaml(loaded));
    }

    [Fact]
    public void StrictLoadingRejectsAFieldTheSchemaDoesNotHave()
    {
        var yaml = Render().Replace("mode: STRICT", "mood: STRICT", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => LabManifest.Load(yaml));
    }

    [Fact]
    public void TheNamespaceComesBeforeEverythingInItAndTheSecretBeforeAnyWorkload()
    {
        var objects = LabManifest.Build(StoreManifestTests.Settings(), "asm-1-30", "pw", "20.1.2.3");

        var ns = objects.ToList().FindIndex(o => o is V1Namespace n && n.Metadata.Name == "pets");
        Assert.True(ns >= 0);
        Assert.All(objects.Take(ns), o => Assert.NotEqual("pets", o.Metadata.NamespaceProperty));
        var secret = objects.ToList().FindIndex(o => o is V1Secret);
        var firstWorkload = objects.ToList().FindIndex(o => o is V1Deployment or V1StatefulSet);
        Assert.True(secret < firstWorkload);
    }

    [Theory]
    [InlineData("all-in-one", 9)]
    [InlineData("quickstart", 4)]
    public void TheRenderedLabHoldsTheStoreTheNamespaceAndTheMeshObjects(string variant, int workloads)
    {
        var loaded = LabManifest.Load(Render(variant));

        Assert.Equal(["pets", "istio-lab-monitoring", "pets-outside-mesh"], loaded.OfType<V1Namespace>().Select(n => n.Metadata.Name));
        // outside, inside, gateway, metrics, kiali, and the restarts check last.
        Assert.Equal(6, loaded.OfType<V1Job>().Count(j => j.Metadata.Name.StartsWith("check-", StringComparison.Ordinal)));
        Assert.StartsWith("check-restarts-", loaded.OfType<V1Job>().Last().Metadata.Name, StringComparison.Ordinal);
        Assert.Single(loaded.OfType<V1Job>(), j => j.Metadata.Name == IngressAddressWait.Name);
        Assert.Single(loaded.OfType<V1Job>(), j => j.Metadata.Name.StartsWith("dashboard-publisher-", StringComparison.Ordinal));
        Assert.Single(loaded.OfType<V1Secret>());
        Assert.Equal(workloads, loaded.OfType<V1Deployment>().Count(d => d.Metadata.NamespaceProperty == "pets") + loaded.OfType<V1StatefulSet>().Count());
        Assert.Single(loaded.OfType<PeerAuthentication>());
        Assert.Single(loaded.OfType<Gateway>());
        Assert.Single(loaded.OfType<VirtualService>());
    }

    [Fact]
    public void WithChecksOffTheLabHasNoCheckJobsAndNoOutsideNamespace()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:checks"] = "false" });

        var objects = LabManifest.Build(settings, "asm-1-30", "pw", "20.1.2.3");

        Assert.DoesNotContain(objects, o => o is V1Job j && j.Metadata.Name.StartsWith("check-", StringComparison.Ordinal));
        Assert.DoesNotContain(objects, o => o is V1Namespace n && n.Metadata.Name == "pets-outside-mesh");
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void EveryObjectPassesTheApiServersNameAndLabelRules(string variant)
    {
        var objects = LabManifest.Load(Render(variant)).Cast<IKubernetesObject<V1ObjectMeta>>();

        Assert.Empty(objects.SelectMany(KubernetesRules.Violations));
    }

    [Fact]
    public void TheRulesCatchABadLabelValue()
    {
        var ns = MeshManifest.ApplicationNamespace(StoreManifestTests.Settings(), "not a revision!");

        Assert.NotEmpty(KubernetesRules.Violations(ns));
    }

    [Fact]
    public void TheStoreYamlHoldsOnlyTheStoreAndNoSecret()
    {
        var yaml = LabManifest.StoreYaml(StoreManifestTests.Settings());

        var loaded = LabManifest.Load(yaml);
        Assert.DoesNotContain(loaded, o => o is V1Secret or V1Namespace or PeerAuthentication or Gateway or VirtualService);
        Assert.DoesNotContain("password:", yaml, StringComparison.Ordinal);
        Assert.Equal(StoreManifestTests.Store().Count, loaded.Count);
    }

    [Fact]
    public void TheStoreYamlDoesNotDependOnTheClusterRevision()
    {
        Assert.DoesNotContain("istio.io/rev", LabManifest.StoreYaml(StoreManifestTests.Settings()), StringComparison.Ordinal);
    }
}
