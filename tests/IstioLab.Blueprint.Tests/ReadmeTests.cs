using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The README stays true: its commands, its config table and its description of the checks.</summary>
public class ReadmeTests
{
    private static string Readme => File.ReadAllText(RepositoryFiles.PathOf("README.md"));

    private static string Row(ConfigKey key) =>
        $"| `{key.FullName}` | {(key.Default.Length == 0 ? "(unset)" : $"`{key.Default}`")} | {key.Description} |";

    [Fact]
    public void TheReadmeDescribesEveryConfigKeyWithItsDefaultInTheBlueprintsWords()
    {
        var readme = Readme;

        Assert.All(ConfigKeys.All, key => Assert.Contains(Row(key), readme, StringComparison.Ordinal));
    }

    [Fact]
    public void TheReadmesTwoCommandsAreThere()
    {
        var readme = Readme;

        Assert.Contains("\npulumi up ", readme, StringComparison.Ordinal);
        Assert.Contains("\ndotnet test ", readme, StringComparison.Ordinal);
        Assert.Contains("az login", readme, StringComparison.Ordinal);
        Assert.Contains("pulumi stack select dev", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeRenderCommandIsTheOneThatWorks()
    {
        Assert.Contains("dotnet run --project infra/IstioLab.Blueprint -- render --stack dev", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeNamesEveryCheckAndItsLimits()
    {
        var readme = Readme;

        // A feature's own check may be described in its document under docs/ instead.
        var documented = readme + string.Concat(Directory.GetFiles(RepositoryFiles.PathOf("docs"), "*.md").Order(StringComparer.Ordinal).Select(File.ReadAllText));
        Assert.All(WorkshopChecks.All, check => Assert.Contains($"| `{check.Name}` |", documented, StringComparison.Ordinal));
        Assert.Contains($"{WorkshopChecks.Attempts} attempts, {WorkshopChecks.IntervalSeconds} s apart", readme, StringComparison.Ordinal);
        Assert.Contains($"{WorkshopChecks.ActiveDeadlineSeconds} s", readme, StringComparison.Ordinal);
        Assert.Contains(WorkshopChecks.Image, readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeSaysWhatToDoWhenTheAddOnRejectsARevision()
    {
        var readme = Readme;

        Assert.Contains("az aks mesh get-revisions", readme, StringComparison.Ordinal);
        Assert.Contains("pulumi config rm istio-lab:istioRevision", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeSaysHowLongTheLabWaitsForTheGatewaysIp()
    {
        Assert.Contains(
            $"{IngressAddressWait.Attempts} attempts {IngressAddressWait.IntervalSeconds} s apart, ended after {IngressAddressWait.ActiveDeadlineSeconds} s",
            Readme,
            StringComparison.Ordinal);
        Assert.Contains($"job/{IngressAddressWait.Name}", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeGivesEachCanaryStepAsCommands()
    {
        var readme = Readme;

        Assert.Contains("az aks mesh get-upgrades", readme, StringComparison.Ordinal);
        Assert.Contains($"pulumi config set {ConfigKeys.IstioCanaryRevision.FullName} ", readme, StringComparison.Ordinal);
        Assert.Contains($"pulumi config rm {ConfigKeys.IstioCanaryRevision.FullName}\n", readme.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"pulumi config set {ConfigKeys.IstioDataPlane.FullName} stable", readme, StringComparison.Ordinal);
        Assert.Contains($"pulumi config rm {ConfigKeys.IstioDataPlane.FullName}", readme, StringComparison.Ordinal);
        Assert.Contains(SharedMeshConfig.NamePrefix + "<revision>", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeSaysHowLongTheObservabilityChecksWaitAndHowToOpenKiali()
    {
        var readme = Readme;

        Assert.Contains(
            $"{ObservabilityChecks.Attempts} attempts {ObservabilityChecks.IntervalSeconds} s apart, ended after {ObservabilityChecks.ActiveDeadlineSeconds} s",
            readme,
            StringComparison.Ordinal);
        Assert.Contains("$(pulumi stack output kialiPortForward)", readme, StringComparison.Ordinal);
        Assert.Contains("$(pulumi stack output kialiToken)", readme, StringComparison.Ordinal);
        Assert.Contains($"chart `{Observability.Kiali.Chart}` {Observability.Kiali.ChartVersion}", readme, StringComparison.Ordinal);
        Assert.Contains($"/d/{Observability.MeshDashboard.Uid}", readme, StringComparison.Ordinal);
    }
}
