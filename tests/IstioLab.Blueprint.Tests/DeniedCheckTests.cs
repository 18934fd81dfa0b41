using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public sealed class DeniedCheckTests : IDisposable
{
    private const string Denied403 = "0|RBAC: access denied\\nHTTP_STATUS:403";
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static V1Job Job(string variant = "all-in-one") => WorkshopChecks.DeniedJob(AllowListTests.Settings(variant), "asm-1-30");

    private static string Env(V1Job job, string name) => job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == name).Value;

    [Theory]
    [InlineData("open", new[] { "outside", "inside", "gateway", "metrics", "kiali" })]
    [InlineData("dry-run", new[] { "outside", "inside", "gateway", "metrics", "kiali" })]
    [InlineData("allow-list", new[] { "outside", "inside", "gateway", "denied", "metrics", "kiali" })]
    public void TheDeniedCheckRunsOnlyWhereTheAllowListIsEnforced(string mode, string[] checks)
    {
        var settings = AllowListTests.Settings(mode: mode);

        Assert.Equal(checks, WorkshopChecks.For(settings).Select(c => c.Name));
        Assert.Equal(checks.Select(c => $"check-{c}"), WorkshopChecks.Build(settings, "asm-1-30", "20.1.2.3").OfType<V1Job>().Select(j => j.Metadata.Labels["app"]));
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheDeniedCheckCallsProductServiceFromInsideTheMeshAsAnIdentityNobodyAllowed(string variant)
    {
        var job = Job(variant);
        var settings = AllowListTests.Settings(variant);

        Assert.Equal("pets", job.Metadata.NamespaceProperty);
        Assert.False(job.Spec.Template.Metadata.Labels.ContainsKey("sidecar.istio.io/inject"));
        Assert.Equal("""{"holdApplicationUntilProxyStarts":true}""", job.Spec.Template.Metadata.Annotations["proxy.istio.io/config"]);
        Assert.Equal("http://product-service.pets.svc.cluster.local:3002/health", Env(job, "TARGET_URL"));
        Assert.Equal("RBAC: access denied", Env(job, "EXPECT_BODY"));
        Assert.Equal("check-denied", job.Spec.Template.Spec.ServiceAccountName);
        var productService = StoreCatalog.Workloads(settings.StoreVariant).Single(w => w.Name == "product-service");
        Assert.False(AuthorizationEvaluator.Allows(AuthorizationManifest.Build(settings), "pets", Kube.Labels(productService.Name, productService.Component, productService.Version),
            new MeshRequest("cluster.local/ns/pets/sa/check-denied", "pets", 3002, CallProtocol.Http, "GET")));
    }

    [Theory]
    [InlineData(0, Denied403)]
    [InlineData(0, "7|\\nHTTP_STATUS:000", "0|no healthy upstream\\nHTTP_STATUS:503", "0|ok\\nHTTP_STATUS:200", Denied403)]
    [InlineData(1, "0|ok\\nHTTP_STATUS:200")]
    [InlineData(1, "0|no healthy upstream\\nHTTP_STATUS:503")]
    [InlineData(1, "0|Forbidden\\nHTTP_STATUS:403")]
    [InlineData(1, "28|\\nHTTP_STATUS:000")]
    [InlineData(1, "56|\\nHTTP_STATUS:000")]
    public void TheDeniedCheckPassesOnlyOnHttp403FromRbacAndAlwaysStopsItsProxy(int expectedExit, params string[] plan)
    {
        var (exit, output, calls) = runner.Run(Job(), plan);

        Assert.Equal(expectedExit, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedExit == 0 ? "PASS denied:" : "FAIL denied:", line, StringComparison.Ordinal);
        Assert.Contains(calls, c => c.Contains("-X POST http://localhost:15020/quitquitquit", StringComparison.Ordinal));
        if (expectedExit != 0)
        {
            Assert.Contains("after 4 attempts", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheDeniedCheckIsBoundedLikeTheOthers()
    {
        var job = Job();

        Assert.Equal(WorkshopChecks.BackoffLimit, job.Spec.BackoffLimit);
        Assert.Equal(WorkshopChecks.ActiveDeadlineSeconds, job.Spec.ActiveDeadlineSeconds);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(WorkshopChecks.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), Env(job, "ATTEMPTS"));
        Assert.Equal(WorkshopChecks.Image, job.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(false, job.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.Matches("^check-denied-[0-9a-f]{10}$", job.Metadata.Name);
    }

    [Fact]
    public void AChangeToThePoliciesRerunsTheMeshChecks()
    {
        var withChecks = WorkshopChecks.Build(AllowListTests.Settings(mode: "dry-run"), "asm-1-30", "20.1.2.3").OfType<V1Job>().ToList();
        var enforced = WorkshopChecks.Build(AllowListTests.Settings(mode: "allow-list"), "asm-1-30", "20.1.2.3").OfType<V1Job>().ToList();

        Assert.Equal(withChecks[0].Metadata.Name, enforced[0].Metadata.Name);
        Assert.NotEqual(withChecks[1].Metadata.Name, enforced[1].Metadata.Name);
        Assert.Equal(withChecks[2].Metadata.Name, enforced[2].Metadata.Name);
    }
}
