using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>docs/egress.md stays true to the blueprint: its queries, its check, its unlisted host and its limits.</summary>
public class EgressDocsTests
{
    private static string Doc => File.ReadAllText(RepositoryFiles.PathOf("docs", "egress.md")).Replace("\r", "", StringComparison.Ordinal);

    private static LabSettings AllowList => LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:egress"] = "allow-list" });

    [Fact]
    public void TheReadmeLinksTheDocument()
    {
        Assert.Contains("(docs/egress.md)", File.ReadAllText(RepositoryFiles.PathOf("README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentGivesThePanelsQueriesForExploreWhileEgressIsOpen()
    {
        var doc = Doc;

        Assert.Contains(EgressDashboard.RequestsQuery(AllowList) + "\n", doc, StringComparison.Ordinal);
        Assert.Contains(EgressDashboard.ConnectionsQuery(AllowList) + "\n", doc, StringComparison.Ordinal);
        Assert.Contains($"**{EgressDashboard.Title}**", doc, StringComparison.Ordinal);
        Assert.Contains("PassthroughCluster", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentNamesTheChecksUnlistedHostAndWhatTheSidecarAnswers()
    {
        var doc = Doc;

        Assert.Contains($"`http://{EgressCheck.UnlistedHost}/` answers HTTP {EgressCheck.BlockedHttpStatus}", doc, StringComparison.Ordinal);
        Assert.Contains($"`https://{EgressCheck.UnlistedHost}/` is cut during the TLS handshake (curl exit 35 or 56)", doc, StringComparison.Ordinal);
        Assert.Contains($"{EgressCheck.Attempts} attempts, 5 s apart", doc, StringComparison.Ordinal);
        Assert.Contains("| `egress` |", doc, StringComparison.Ordinal);
        Assert.Contains("\"upstream_cluster\":\"BlackHoleCluster\"", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentSaysWhatTheAllowListDoesNotCoverAndWhatWould()
    {
        var doc = Doc;

        Assert.Contains("sidecar.istio.io/inject: \"false\"", doc, StringComparison.Ordinal);
        Assert.Contains("UID 1337", doc, StringComparison.Ordinal);
        Assert.Contains("outboundType: userDefinedRouting", doc, StringComparison.Ordinal);
        Assert.Contains("Azure Firewall", doc, StringComparison.Ordinal);
        Assert.Contains("network policies", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocumentsCommandsUseTheRealKeys()
    {
        var doc = Doc;

        Assert.Contains($"pulumi config set {ConfigKeys.Egress.FullName} allow-list", doc, StringComparison.Ordinal);
        Assert.Contains($"pulumi config set {ConfigKeys.EgressHosts.FullName} ", doc, StringComparison.Ordinal);
        Assert.Contains($"pulumi config rm {ConfigKeys.EgressHosts.FullName}", doc, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project infra/IstioLab.Blueprint -- render --stack dev --set istio-lab:egress=allow-list", doc, StringComparison.Ordinal);
        Assert.Contains("`EgressLockdown` (`istiolab:index:EgressLockdown`)", doc, StringComparison.Ordinal);
    }
}
