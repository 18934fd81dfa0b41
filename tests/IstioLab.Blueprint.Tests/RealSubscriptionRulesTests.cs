using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Rules a real subscription needs, on the blueprint: every Job the lab builds is replaced by the next update when it
/// did not complete, and the node pool's preview-only sshAccess comes only from its setting.
/// </summary>
public class RealSubscriptionRulesTests
{
    private static LabSettings Settings(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    public static TheoryData<string, string, string> Stacks => new()
    {
        { "istio-lab:storeVariant", "all-in-one", "open" },
        { "istio-lab:storeVariant", "quickstart", "allow-list" },
        { "istio-lab:https", "self-signed", "allow-list" },
        { "istio-lab:https", "lets-encrypt", "open" },
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryJobOfEveryStackCarriesTheProvidersReplaceUnreadyAnnotation(string key, string value, string authorization)
    {
        var settings = Settings((key, value), ("istio-lab:authorization", authorization));

        var jobs = LabManifest.Build(settings, "asm-1-27", "pw", "20.1.2.3").OfType<V1Job>().ToList();

        Assert.True(jobs.Count >= 5, $"expected the waits, the publication and the checks, found {jobs.Count}");
        Assert.All(jobs, job => Assert.True(
            job.Metadata.Annotations?.TryGetValue("pulumi.com/replaceUnready", out var on) == true && on == "true",
            $"Job {job.Metadata.Name} lacks pulumi.com/replaceUnready: \"true\": after a failure the next pulumi up would only re-read it"));
    }

    [Fact]
    public void JobsThatAddAnnotationsKeepTheReplaceUnreadyAnnotation()
    {
        var jobs = LabManifest.Build(LabSettings.Defaults, "asm-1-27", "pw", "20.1.2.3").OfType<V1Job>().ToList();

        var withMore = jobs.Where(j => j.Metadata.Annotations.Count > 1).ToList();
        Assert.NotEmpty(withMore);
        Assert.All(withMore, job => Assert.Equal("true", job.Metadata.Annotations["pulumi.com/replaceUnready"]));
    }

    [Fact]
    public void TheSameSettingsBuildTheSameJobs()
    {
        var settings = Settings(("istio-lab:https", "self-signed"), ("istio-lab:authorization", "allow-list"));

        var first = LabManifest.ToYaml(LabManifest.Build(settings, "asm-1-27", "pw", "20.1.2.3").OfType<V1Job>());
        var second = LabManifest.ToYaml(LabManifest.Build(settings, "asm-1-27", "pw", "20.1.2.3").OfType<V1Job>());

        Assert.Equal(first, second);
    }

    [Fact]
    public void TheTroubleshootingDocSaysWhatARerunDoesForEveryKindOfJob()
    {
        var docs = File.ReadAllText(RepositoryFiles.PathOf("docs", "troubleshooting.md"));

        Assert.Contains($"`{ScriptJob.ReplaceUnreadyAnnotation}: \"true\"`", docs, StringComparison.Ordinal);
        Assert.Contains(Mesh.IngressAddressWait.Name, docs, StringComparison.Ordinal);
        Assert.Contains(Mesh.IngressAddressWait.StaticAddressName, docs, StringComparison.Ordinal);
        Assert.Contains("FAIL dashboard", docs, StringComparison.Ordinal);
        Assert.Contains("is left alone", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeSshAccessIsUnsetByDefaultSoNoPreviewFieldIsSent()
    {
        Assert.Equal(NodeSshAccess.Unset, LabSettings.Defaults.NodeSshAccess);
        Assert.Equal("", ConfigKeys.NodeSshAccess.Default);
    }

    [Theory]
    [InlineData("disabled", NodeSshAccess.Disabled)]
    [InlineData("localuser", NodeSshAccess.LocalUser)]
    public void NodeSshAccessTakesTheDocumentedValues(string text, NodeSshAccess expected)
    {
        Assert.Equal(expected, Settings(("istio-lab:nodeSshAccess", text)).NodeSshAccess);
    }

    [Fact]
    public void ABadNodeSshAccessNamesTheKeyTheValueThePreviewAndTheAllowedValues()
    {
        var error = Assert.Throws<LabSettingsException>(() => Settings(("istio-lab:nodeSshAccess", "off"), ("istio-lab:nodeCount", "0")));

        var line = Assert.Single(error.Errors, e => e.Key == "istio-lab:nodeSshAccess");
        Assert.Equal("off", line.Value);
        Assert.Contains("disabled, localuser", line.Problem, StringComparison.Ordinal);
        Assert.Contains("DisableSSHPreview", line.Problem, StringComparison.Ordinal);
        Assert.Contains(error.Errors, e => e.Key == "istio-lab:nodeCount");
    }

    [Fact]
    public void TheDocsSayWhichPreviewFeatureToRegisterForNodeSshAccess()
    {
        var docs = File.ReadAllText(RepositoryFiles.PathOf("docs", "troubleshooting.md"));

        // The feature's name as "AKS docs articles/aks/manage-ssh-node-access.md" spells it.
        Assert.Contains("az feature register --namespace Microsoft.ContainerService --name DisableSSHPreview", docs, StringComparison.Ordinal);
        Assert.Contains("istio-lab:nodeSshAccess", docs, StringComparison.Ordinal);
    }
}
