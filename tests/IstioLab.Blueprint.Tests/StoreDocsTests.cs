using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Tests;

/// <summary>docs/store.md says what the code does: the waits' table, the check's output and the way to store-admin.</summary>
public class StoreDocsTests
{
    private static string Doc => File.ReadAllText(RepositoryFiles.PathOf("docs", "store.md"));

    [Fact]
    public void TheDocsTableOfWaitsIsTheOneBuiltFromTheCatalog()
    {
        var table = StartupWaits.MarkdownTable();

        Assert.Contains("\n" + table + "\n", Doc, StringComparison.Ordinal);
        Assert.Equal(4 + 2, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void TheDocsSayHowToReachStoreAdminOnItsServicePort()
    {
        var admin = StoreCatalog.Workloads(StoreVariant.AllInOne).Single(w => w.Name == "store-admin");

        Assert.Contains($"kubectl port-forward -n pets svc/store-admin 8081:{admin.Ports.Single().ServicePort}", Doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocsNameTheChecksPropertiesTheRoleAndHowToReadAFailure()
    {
        var doc = Doc;

        Assert.Contains("`restarts`", doc, StringComparison.Ordinal);
        Assert.Contains($"`{RestartsCheck.RoleName}`", doc, StringComparison.Ordinal);
        Assert.Contains($"`{RestartsCheck.ServiceAccountName}`", doc, StringComparison.Ordinal);
        Assert.Contains("PASS pods:", doc, StringComparison.Ordinal);
        Assert.Contains("PASS restarts:", doc, StringComparison.Ordinal);
        Assert.Contains("FAIL restarts:", doc, StringComparison.Ordinal);
        Assert.Contains("--previous", doc, StringComparison.Ordinal);
        Assert.Contains("kubectl describe pod", doc, StringComparison.Ordinal);
        Assert.Contains(StartupWaits.Image, doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeLinksTheStoreDocs()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));

        Assert.Contains("[docs/store.md](docs/store.md)", readme, StringComparison.Ordinal);
        Assert.Contains("| `restartsCheck` |", readme, StringComparison.Ordinal);
    }
}
