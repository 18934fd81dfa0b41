using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public sealed class WorkshopChecksTests : IDisposable
{
    private const string Ip = "20.50.60.70";
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static LabSettings Settings(string variant = "all-in-one", string user = "storeuser") =>
        LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:storeVariant"] = variant, ["istio-lab:rabbitmqUsername"] = user });

    private static V1Job Outside => WorkshopChecks.OutsideJob(Settings(), "asm-1-30");
    private static V1Job Inside => WorkshopChecks.InsideJob(Settings(), "asm-1-30");
    private static V1Job Gateway => WorkshopChecks.GatewayJob(Settings(), Ip);
    private static IEnumerable<V1Job> AllJobs => [Outside, Inside, Gateway];

    private static string Env(V1Job job, string name) => job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == name).Value;

    [Fact]
    public void TheOutsideCheckRunsInItsOwnNamespaceWithoutASidecar()
    {
        var ns = WorkshopChecks.OutsideNamespace(Settings());

        Assert.Equal("pets-outside-mesh", ns.Metadata.Name);
        Assert.Equal("disabled", ns.Metadata.Labels["istio-injection"]);
        Assert.False(ns.Metadata.Labels.ContainsKey("istio.io/rev"));
        Assert.Equal(ns.Metadata.Name, Outside.Metadata.NamespaceProperty);
        Assert.Equal("false", Outside.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal("http://store-front.pets.svc.cluster.local:80", Env(Outside, "TARGET_URL"));
    }

    [Fact]
    public void TheInsideCheckRunsInTheApplicationNamespaceWithItsSidecarStartedFirst()
    {
        Assert.Equal("pets", Inside.Metadata.NamespaceProperty);
        Assert.False(Inside.Spec.Template.Metadata.Labels.ContainsKey("sidecar.istio.io/inject"));
        Assert.Equal("""{"holdApplicationUntilProxyStarts":true}""", Inside.Spec.Template.Metadata.Annotations["proxy.istio.io/config"]);
        Assert.NotEqual(1337, Inside.Spec.Template.Spec.Containers.Single().SecurityContext.RunAsUser);
        Assert.Equal("http://store-front.pets.svc.cluster.local:80", Env(Inside, "TARGET_URL"));
    }

    [Fact]
    public void TheGatewayCheckRunsOutsideTheMeshAgainstThePublicIp()
    {
        Assert.Equal("pets-outside-mesh", Gateway.Metadata.NamespaceProperty);
        Assert.Equal("false", Gateway.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal($"http://{Ip}/", Env(Gateway, "TARGET_URL"));
        Assert.Equal("Contoso Pet Store", Env(Gateway, "EXPECT_TITLE"));
    }

    [Theory]
    [InlineData(0, "56|000")]
    [InlineData(0, "52|000")]
    [InlineData(1, "7|000")]
    [InlineData(0, "7|000", "56|000")]
    [InlineData(0, "0|200", "56|000")]
    [InlineData(1, "0|200")]
    [InlineData(1, "0|503")]
    [InlineData(1, "0|403")]
    [InlineData(1, "28|000")]
    [InlineData(1, "7|000", "0|200", "7|000", "7|000")]
    public void TheOutsideCheckPassesOnlyWhenPlaintextIsReset(int expectedExit, params string[] plan)
    {
        var (exit, output, _) = runner.Run(Outside, plan);

        Assert.Equal(expectedExit, exit);
        Assert.StartsWith(expectedExit == 0 ? "PASS outside:" : "FAIL outside:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0|200")]
    [InlineData(0, "7|000", "56|000", "0|200")]
    [InlineData(1, "0|503")]
    [InlineData(1, "56|000")]
    [InlineData(1, "0|301")]
    public void TheInsideCheckPassesOnlyOnHttp200AndAlwaysStopsItsProxy(int expectedExit, params string[] plan)
    {
        var (exit, output, calls) = runner.Run(Inside, plan);

        Assert.Equal(expectedExit, exit);
        Assert.StartsWith(expectedExit == 0 ? "PASS inside:" : "FAIL inside:", output, StringComparison.Ordinal);
        Assert.Contains(calls, c => c.Contains("-X POST http://localhost:15020/quitquitquit", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "0|<html><head><title>Contoso Pet Store</title></head></html>\\nHTTP_STATUS:200")]
    [InlineData(0, "7|\\nHTTP_STATUS:000", "0|<title>Contoso Pet Store</title>\\nHTTP_STATUS:200")]
    [InlineData(1, "0|<title>Welcome to nginx!</title>\\nHTTP_STATUS:200")]
    [InlineData(1, "0|<title>Contoso Pet Store</title>\\nHTTP_STATUS:404")]
    [InlineData(1, "28|\\nHTTP_STATUS:000")]
    public void TheGatewayCheckPassesOnlyOn200WithTheStoreTitle(int expectedExit, params string[] plan)
    {
        var (exit, output, _) = runner.Run(Gateway, plan);

        Assert.Equal(expectedExit, exit);
        Assert.StartsWith(expectedExit == 0 ? "PASS gateway:" : "FAIL gateway:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EachCheckPrintsOneLineSayingWhatItSaw()
    {
        foreach (var (job, plan) in new[] { (Outside, "0|200"), (Inside, "0|500"), (Gateway, "0|nothing\\nHTTP_STATUS:500") })
        {
            var (_, output, _) = runner.Run(job, plan);

            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("after 4 attempts", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryCheckRetriesForABoundedTimeAndEndsInMinutes()
    {
        Assert.All(AllJobs, job =>
        {
            Assert.Equal(1, job.Spec.BackoffLimit);
            Assert.Equal(300, job.Spec.ActiveDeadlineSeconds);
            Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
            var attempts = int.Parse(Env(job, "ATTEMPTS"), System.Globalization.CultureInfo.InvariantCulture);
            var interval = int.Parse(Env(job, "INTERVAL_SECONDS"), System.Globalization.CultureInfo.InvariantCulture);
            var timeout = int.Parse(Env(job, "TIMEOUT_SECONDS"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(attempts * (interval + timeout) < job.Spec.ActiveDeadlineSeconds, "the retries must end before the deadline kills the pod");
        });
    }

    [Fact]
    public void EveryCheckUsesASmallPinnedImageAndSmallResources()
    {
        Assert.All(AllJobs, job =>
        {
            var container = job.Spec.Template.Spec.Containers.Single();
            Assert.Equal("quay.io/curl/curl:8.11.1", container.Image);
            Assert.Equal("5m", container.Resources.Requests["cpu"].ToString());
            Assert.Equal("16Mi", container.Resources.Requests["memory"].ToString());
            Assert.Equal("100m", container.Resources.Limits["cpu"].ToString());
            Assert.Equal("64Mi", container.Resources.Limits["memory"].ToString());
        });
    }

    [Fact]
    public void EveryCheckRunsAsNonRootWithAReadOnlyRootFilesystem()
    {
        Assert.All(AllJobs, job =>
        {
            var security = job.Spec.Template.Spec.Containers.Single().SecurityContext;
            Assert.Equal(true, security.RunAsNonRoot);
            Assert.True(security.RunAsUser > 0);
            Assert.Equal(true, security.ReadOnlyRootFilesystem);
            Assert.Equal(false, security.AllowPrivilegeEscalation);
            Assert.Equal(["ALL"], security.Capabilities.Drop);
            Assert.Equal(false, job.Spec.Template.Spec.AutomountServiceAccountToken);
            Assert.Equal("RuntimeDefault", job.Spec.Template.Spec.SecurityContext.SeccompProfile.Type);
        });
    }

    [Fact]
    public void TheSameInputsGiveTheSameJobNames()
    {
        Assert.Equal(
            WorkshopChecks.Build(Settings(), "asm-1-30", Ip).Select(o => o.Metadata.Name),
            WorkshopChecks.Build(Settings(), "asm-1-30", Ip).Select(o => o.Metadata.Name));
        Assert.All(AllJobs, job => Assert.Matches("^check-(outside|inside|gateway)-[0-9a-f]{10}$", job.Metadata.Name));
    }

    [Fact]
    public void ARevisionChangeRerunsTheMeshChecksButNotTheGatewayCheck()
    {
        var before = WorkshopChecks.Build(Settings(), "asm-1-29", Ip).OfType<V1Job>().Select(j => j.Metadata.Name).ToList();
        var after = WorkshopChecks.Build(Settings(), "asm-1-30", Ip).OfType<V1Job>().Select(j => j.Metadata.Name).ToList();

        Assert.NotEqual(before[0], after[0]);
        Assert.NotEqual(before[1], after[1]);
        Assert.Equal(before[2], after[2]);
    }

    [Fact]
    public void AnIpChangeRerunsOnlyTheGatewayCheck()
    {
        var before = WorkshopChecks.Build(Settings(), "asm-1-30", "20.1.1.1").OfType<V1Job>().Select(j => j.Metadata.Name).ToList();
        var after = WorkshopChecks.Build(Settings(), "asm-1-30", "20.2.2.2").OfType<V1Job>().Select(j => j.Metadata.Name).ToList();

        Assert.Equal(before[0], after[0]);
        Assert.Equal(before[1], after[1]);
        Assert.NotEqual(before[2], after[2]);
    }

    [Fact]
    public void AStoreChangeRerunsEveryCheck()
    {
        var before = WorkshopChecks.Build(Settings("all-in-one"), "asm-1-30", Ip).OfType<V1Job>().Select(j => j.Metadata.Name);
        var after = WorkshopChecks.Build(Settings("quickstart"), "asm-1-30", Ip).OfType<V1Job>().Select(j => j.Metadata.Name);

        Assert.All(before.Zip(after), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public void ASettingTheChecksDoNotVerifyLeavesTheirNamesAlone()
    {
        var before = WorkshopChecks.Build(Settings(user: "storeuser"), "asm-1-30", Ip).Select(o => o.Metadata.Name);
        var after = WorkshopChecks.Build(Settings(user: "orders"), "asm-1-30", Ip).Select(o => o.Metadata.Name);

        Assert.Equal(before, after);
    }

    [Fact]
    public void EveryCheckSaysWhatItProves()
    {
        Assert.Equal(["sidecars", "permissive", "outside", "inside", "gateway", "redirect", "denied", "egress", "traffic", "metrics", "kiali"], WorkshopChecks.All.Select(c => c.Name));
        Assert.Equal(["outside", "inside", "gateway"], WorkshopChecks.For(LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:observability"] = "false" })).Select(c => c.Name));
        Assert.All(AllJobs, job => Assert.False(string.IsNullOrWhiteSpace(job.Spec.Template.Metadata.Annotations["istio-lab/proves"])));
    }
}
