using System.Text.Json;
using System.Text.RegularExpressions;
using IstioLab.Blueprint.Cleanup;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>docs/cost-and-cleanup.md stays true to the code, the review workflow and the dev container.</summary>
public partial class CleanupDocTests
{
    private static string Doc => File.ReadAllText(RepositoryFiles.PathOf("docs", "cost-and-cleanup.md"));

    [GeneratedRegex(@"^\s*pulumi config set (istio-lab:[A-Za-z]+) ([a-z0-9-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex LiteralConfigSet();

    [Fact]
    public void TheDocsReviewSettingsTableIsWhatTheWorkflowSets()
    {
        var workflow = File.ReadAllText(RepositoryFiles.PathOf(".github", "workflows", "review.yml"));
        var set = LiteralConfigSet().Matches(workflow).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

        Assert.NotEmpty(set);
        Assert.All(set, s => Assert.Contains($"| `{s.Item1}` | `{s.Item2}` |", Doc, StringComparison.Ordinal));
    }

    [Fact]
    public void TheDocNamesEveryDevContainerToolVersion()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(".devcontainer", "devcontainer.json")));

        foreach (var feature in json.RootElement.GetProperty("features").EnumerateObject())
        {
            Assert.Contains($"`{feature.Name}`", Doc, StringComparison.Ordinal);
            Assert.Contains($"`{feature.Value.GetProperty("version").GetString()}`", Doc, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheDocSaysHowToExtendOrRemoveAnExpiryAndNamesTheLabsTags()
    {
        var doc = Doc;

        Assert.Contains($"pulumi config set {ConfigKeys.ExpiresAt.FullName} <later time>", doc, StringComparison.Ordinal);
        Assert.Contains($"pulumi config rm {ConfigKeys.ExpiresAt.FullName}", doc, StringComparison.Ordinal);
        Assert.All(LabTags.LabNames, name => Assert.Contains($"| `{name}` |", doc, StringComparison.Ordinal));
        Assert.Contains($"at most {LabTags.MaxUserTags} of your own", doc, StringComparison.Ordinal);
    }
}
