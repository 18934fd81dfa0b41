using IstioLab.Blueprint.Rendering;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public sealed class RenderCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("istio-lab-render-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = RenderCommand.Run(args, stdout, stderr, root);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private void Project(string stackConfig, string projectConfig = "")
    {
        File.WriteAllText(Path.Combine(root, "Pulumi.yaml"), "name: istio-lab\nruntime: dotnet\n" + projectConfig);
        File.WriteAllText(Path.Combine(root, "Pulumi.test.yaml"), stackConfig);
    }

    [Fact]
    public void RendersTheStacksObjectsToStdout()
    {
        Project("config:\n  istio-lab:istioRevision: asm-1-30\n");

        var (code, output, errors) = Run("render", "--stack", "test");

        Assert.Equal(0, code);
        Assert.Equal("", errors);
        var loaded = LabManifest.Load(output);
        Assert.Equal("asm-1-30", loaded.OfType<V1Namespace>().Single(n => n.Metadata.Labels.ContainsKey("istio.io/rev")).Metadata.Labels["istio.io/rev"]);
        Assert.Equal(9, loaded.OfType<V1Deployment>().Count(d => d.Metadata.NamespaceProperty == "pets") + loaded.OfType<V1StatefulSet>().Count());
    }

    [Fact]
    public void SetOverridesTheStackFile()
    {
        Project("config:\n  istio-lab:istioRevision: asm-1-30\n  istio-lab:storeVariant: all-in-one\n");

        var (code, output, _) = Run("render", "--stack", "test", "--set", "istio-lab:storeVariant=quickstart");

        Assert.Equal(0, code);
        Assert.Equal(4, LabManifest.Load(output).Count(o => o is V1Deployment or V1StatefulSet && ((k8s.IKubernetesObject<V1ObjectMeta>)o).Metadata.NamespaceProperty == "pets"));
    }

    [Fact]
    public void AnUnqualifiedKeyBelongsToTheProject()
    {
        Project("config:\n  storeVariant: quickstart\n  istio-lab:istioRevision: asm-1-30\n");

        var (code, output, _) = Run("render", "--stack", "test");

        Assert.Equal(0, code);
        Assert.Equal(4, LabManifest.Load(output).Count(o => o is V1Deployment or V1StatefulSet && ((k8s.IKubernetesObject<V1ObjectMeta>)o).Metadata.NamespaceProperty == "pets"));
    }

    [Fact]
    public void ProjectDefaultsApplyUnderTheStackFile()
    {
        Project(
            "config:\n  istio-lab:istioRevision: asm-1-30\n",
            "config:\n  appNamespace:\n    type: string\n    default: shop\n");

        var (code, output, _) = Run("render", "--stack", "test");

        Assert.Equal(0, code);
        Assert.Equal("shop", LabManifest.Load(output).OfType<V1Namespace>().Single(n => n.Metadata.Labels.ContainsKey("istio.io/rev")).Metadata.Name);
    }

    [Fact]
    public void WithoutARevisionItWarnsAndRendersAVisiblePlaceholder()
    {
        Project("config:\n  istio-lab:storeVariant: quickstart\n");

        var (code, output, errors) = Run("render", "--stack", "test");

        Assert.Equal(0, code);
        Assert.Contains("warning: istio-lab:istioRevision is not set", errors, StringComparison.Ordinal);
        Assert.Equal(LabManifest.RevisionPlaceholder, LabManifest.Load(output).OfType<V1Namespace>().Single(n => n.Metadata.Labels.ContainsKey("istio.io/rev")).Metadata.Labels["istio.io/rev"]);
    }

    [Fact]
    public void SecureValuesAreNeverDecryptedAndThePasswordIsAPlaceholder()
    {
        Project("config:\n  istio-lab:istioRevision: asm-1-30\n  istio-lab:rabbitmqPassword:\n    secure: v1:AAAABBBBCCCC\n");

        var (code, output, _) = Run("render", "--stack", "test");

        Assert.Equal(0, code);
        Assert.DoesNotContain("v1:AAAABBBBCCCC", output, StringComparison.Ordinal);
        Assert.Equal(LabManifest.PasswordPlaceholder, LabManifest.Load(output).OfType<V1Secret>().Single().StringData["password"]);
    }

    [Fact]
    public void BadConfigExitsWithCode2AndNamesEveryBadKey()
    {
        Project("config:\n  istio-lab:nodeCount: \"0\"\n  istio-lab:storeVariant: full\n");

        var (code, output, errors) = Run("render", "--stack", "test");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("istio-lab:nodeCount = '0'", errors, StringComparison.Ordinal);
        Assert.Contains("istio-lab:storeVariant = 'full'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingStackFileExitsWithCode2()
    {
        Project("config: {}\n");

        var (code, _, errors) = Run("render", "--stack", "prod");

        Assert.Equal(2, code);
        Assert.Contains("Pulumi.prod.yaml", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("render")]
    [InlineData("render", "--stack")]
    [InlineData("render", "--stack", "test", "--bogus")]
    [InlineData("deploy", "--stack", "test")]
    [InlineData("render", "--stack", "test", "--set", "novalue")]
    public void UsageErrorsExitWithCode2(params string[] args)
    {
        Project("config: {}\n");

        var (code, _, errors) = Run(args);

        Assert.Equal(2, code);
        Assert.StartsWith("error:", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRepositorysDevStackRendersBothVariantsTheSameEachTime()
    {
        var repo = RepositoryFiles.Root;
        using var first = new StringWriter();
        using var second = new StringWriter();
        using var quick = new StringWriter();
        using var ignored = new StringWriter();

        Assert.Equal(0, RenderCommand.Run(["render", "--stack", "dev"], first, ignored, repo));
        Assert.Equal(0, RenderCommand.Run(["render", "--stack", "dev"], second, ignored, repo));
        Assert.Equal(0, RenderCommand.Run(["render", "--stack", "dev", "--set", "istio-lab:storeVariant=quickstart"], quick, ignored, repo));

        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal(9, LabManifest.Load(first.ToString()).Count(o => o is V1Deployment or V1StatefulSet && ((k8s.IKubernetesObject<V1ObjectMeta>)o).Metadata.NamespaceProperty == "pets"));
        Assert.Equal(4, LabManifest.Load(quick.ToString()).Count(o => o is V1Deployment or V1StatefulSet && ((k8s.IKubernetesObject<V1ObjectMeta>)o).Metadata.NamespaceProperty == "pets"));
    }
}
