using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The canary-upgrade keys: each phase's settings, and every invalid combination refused with its keys named.</summary>
public class CanaryUpgradeSettingsTests
{
    private static LabSettings Parse(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static LabSettingsException Refused(params (string Key, string Value)[] entries) =>
        Assert.Throws<LabSettingsException>(() => Parse(entries));

    [Fact]
    public void WithoutAnyRevisionNothingIsSentAndTheNamespaceFollowsTheCluster()
    {
        var settings = Parse();

        Assert.Empty(settings.MeshRevisions);
        Assert.Null(settings.DataPlaneRevision);
        Assert.Null(settings.IstioCanaryRevision);
    }

    [Fact]
    public void AStableRevisionAloneIsTheOnlyRevisionAndTheDataPlane()
    {
        var settings = Parse(("istio-lab:istioRevision", "asm-1-29"));

        Assert.Equal(["asm-1-29"], settings.MeshRevisions);
        Assert.Equal("asm-1-29", settings.DataPlaneRevision);
    }

    [Fact]
    public void StartingACanaryRunsBothRevisionsOlderFirstAndMovesTheDataPlaneToTheCanary()
    {
        var settings = Parse(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"));

        Assert.Equal(["asm-1-29", "asm-1-30"], settings.MeshRevisions);
        Assert.Equal("asm-1-30", settings.DataPlaneRevision);
        Assert.Equal(DataPlane.Canary, settings.IstioDataPlane);
    }

    [Fact]
    public void RollingBackKeepsBothRevisionsAndMovesTheDataPlaneToTheStableOne()
    {
        var settings = Parse(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"), ("istio-lab:istioDataPlane", "stable"));

        Assert.Equal(["asm-1-29", "asm-1-30"], settings.MeshRevisions);
        Assert.Equal("asm-1-29", settings.DataPlaneRevision);
    }

    [Fact]
    public void CompletingTheUpgradeKeepsTheDataPlaneRevisionSoNoPodRestarts()
    {
        var during = Parse(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"));
        var completed = Parse(("istio-lab:istioRevision", "asm-1-30"));

        Assert.Equal(during.DataPlaneRevision, completed.DataPlaneRevision);
        Assert.Equal(["asm-1-30"], completed.MeshRevisions);
    }

    [Theory]
    [InlineData("asm-1-28", "asm-1-29")]
    [InlineData("asm-1-28", "asm-1-30")]
    public void ACanaryMayBeOneOrTwoMinorsAhead(string stable, string canary)
    {
        var settings = Parse(("istio-lab:istioRevision", stable), ("istio-lab:istioCanaryRevision", canary));

        Assert.Equal([stable, canary], settings.MeshRevisions);
    }

    [Fact]
    public void ACanaryNeedsAConfiguredStableRevision()
    {
        var error = Refused(("istio-lab:istioCanaryRevision", "asm-1-30"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:istioCanaryRevision", problem.Key);
        Assert.Contains("istio-lab:istioRevision", problem.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("asm-1-29", "asm-1-29", "must be newer than istio-lab:istioRevision 'asm-1-29'")]
    [InlineData("asm-1-30", "asm-1-29", "must be newer than istio-lab:istioRevision 'asm-1-30'")]
    [InlineData("asm-1-30", "asm-1-33", "at most 2 minors ahead of istio-lab:istioRevision 'asm-1-30'")]
    public void ACanaryMustBeNewerAndAtMostTwoMinorsAhead(string stable, string canary, string expected)
    {
        var error = Refused(("istio-lab:istioRevision", stable), ("istio-lab:istioCanaryRevision", canary));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:istioCanaryRevision", problem.Key);
        Assert.Contains(expected, problem.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.30")]
    [InlineData("asm-1-30-1")]
    [InlineData("ASM-1-30")]
    public void ACanaryIsARevisionName(string canary)
    {
        var error = Refused(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", canary));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:istioCanaryRevision", problem.Key);
        Assert.Contains("asm-1-<minor>", problem.Problem, StringComparison.Ordinal);
        Assert.Contains("az aks mesh get-upgrades", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDataPlaneChoiceExistsOnlyWithACanary()
    {
        var error = Refused(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioDataPlane", "stable"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:istioDataPlane", problem.Key);
        Assert.Contains("istio-lab:istioCanaryRevision", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDataPlaneIsCanaryOrStable()
    {
        var error = Refused(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-30"), ("istio-lab:istioDataPlane", "old"));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:istioDataPlane", problem.Key);
        Assert.Equal("old", problem.Value);
        Assert.Contains("canary, stable", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCanaryProblemIsReportedTogetherWithTheOthers()
    {
        var error = Refused(("istio-lab:istioCanaryRevision", "asm-1-30"), ("istio-lab:istioDataPlane", "sideways"), ("istio-lab:nodeCount", "0"));

        Assert.Equal(
            ["istio-lab:istioCanaryRevision", "istio-lab:istioDataPlane", "istio-lab:nodeCount"],
            error.Errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }
}
