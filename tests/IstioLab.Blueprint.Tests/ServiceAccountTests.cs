using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public class ServiceAccountTests
{
    public static TheoryData<string, string> VariantsAndModes => new()
    {
        { "all-in-one", "open" },
        { "all-in-one", "allow-list" },
        { "quickstart", "open" },
        { "quickstart", "dry-run" },
    };

    [Theory]
    [MemberData(nameof(VariantsAndModes))]
    public void EveryStorePodRunsAsItsOwnServiceAccountWithoutAToken(string variant, string mode)
    {
        var settings = AllowListTests.Settings(variant, mode);
        var accounts = StoreManifest.ServiceAccounts(settings).ToDictionary(sa => sa.Metadata.Name);
        var pods = StoreManifestTests.PodTemplates(StoreManifest.Build(settings)).ToList();

        Assert.Equal(pods.Select(p => p.Name), accounts.Keys);
        Assert.All(pods, pod =>
        {
            Assert.Equal(pod.Name, pod.Template.Spec.ServiceAccountName);
            Assert.Equal(false, pod.Template.Spec.AutomountServiceAccountToken);
            var account = accounts[pod.Name];
            Assert.Equal("pets", account.Metadata.NamespaceProperty);
            Assert.Equal(false, account.AutomountServiceAccountToken);
            Assert.Equal(pod.Template.Metadata.Labels["app"], account.Metadata.Labels["app"]);
        });
    }

    [Fact]
    public void TheServiceAccountsComeBeforeTheWorkloadsThatUseThem()
    {
        var objects = LabManifest.Build(AllowListTests.Settings(), "asm-1-30", "pw", "20.1.2.3").ToList();

        var store = StoreCatalog.Workloads(StoreVariant.AllInOne).Select(w => w.Name).ToHashSet();
        var lastAccount = objects.FindLastIndex(o => o is V1ServiceAccount && o.Metadata.NamespaceProperty == "pets" && store.Contains(o.Metadata.Name));
        var firstWorkload = objects.FindIndex(o => o is V1Deployment or V1StatefulSet);
        Assert.True(lastAccount >= 0 && lastAccount < firstWorkload);
        var firstCheckAccount = objects.FindIndex(o => o is V1ServiceAccount && o.Metadata.Name.StartsWith("check-", StringComparison.Ordinal));
        Assert.True(firstCheckAccount < objects.FindIndex(o => o is V1Job && o.Metadata.Name.StartsWith("check-", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheStoreYamlHoldsNoServiceAccountBecauseTheProgramCreatesThemFirst()
    {
        Assert.DoesNotContain(LabManifest.Load(LabManifest.StoreYaml(AllowListTests.Settings())), o => o is V1ServiceAccount);
    }

    [Theory]
    [InlineData("open", new[] { "check-inside" })]
    [InlineData("dry-run", new[] { "check-inside" })]
    [InlineData("allow-list", new[] { "check-inside", "check-denied" })]
    public void EveryInMeshCheckRunsAsItsOwnServiceAccountAndTheOthersAsNone(string mode, string[] accounts)
    {
        var settings = AllowListTests.Settings(mode: mode);
        var jobs = WorkshopChecks.Build(settings, "asm-1-30", "20.1.2.3").OfType<V1Job>().ToList();

        Assert.Equal(accounts, WorkshopChecks.ServiceAccounts(settings).Select(sa => sa.Metadata.Name));
        Assert.All(WorkshopChecks.ServiceAccounts(settings), sa =>
        {
            Assert.Equal("pets", sa.Metadata.NamespaceProperty);
            Assert.Equal(false, sa.AutomountServiceAccountToken);
        });
        Assert.Equal(accounts, jobs.Where(j => j.Metadata.NamespaceProperty == "pets").Select(j => j.Spec.Template.Spec.ServiceAccountName));
        // Outside the mesh only the kiali check has an identity: the token it logs in to Kiali with.
        Assert.All(jobs.Where(j => j.Metadata.NamespaceProperty != "pets" && j.Metadata.Labels["app"] != "check-kiali"), j => Assert.Null(j.Spec.Template.Spec.ServiceAccountName));
        Assert.Equal(ObservabilityChecks.KialiCheckServiceAccount, jobs.Single(j => j.Metadata.Labels["app"] == "check-kiali").Spec.Template.Spec.ServiceAccountName);
    }

    [Fact]
    public void WithoutTheChecksThereAreNoCheckServiceAccounts()
    {
        var objects = LabManifest.Build(AllowListTests.Settings(checks: "false"), "asm-1-30", "pw", "20.1.2.3");

        Assert.DoesNotContain(objects, o => o is V1ServiceAccount && o.Metadata.Name.StartsWith("check-", StringComparison.Ordinal));
    }
}
