using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The HTTPS gateway check, the redirect check and the static-IP wait, run under /bin/sh against a fake curl.</summary>
public sealed class HttpsChecksTests : IDisposable
{
    private const string Ip = "20.50.60.70";
    private const string Ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    private const string Page = "<title>Contoso Pet Store</title>";
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static LabSettings SelfSigned => HttpsManifestTests.Settings("self-signed");
    private static LabSettings Staging => HttpsManifestTests.Settings("lets-encrypt");
    private static LabSettings Production => HttpsManifestTests.Settings("lets-encrypt", ("istio-lab:acmeServer", "production"));

    private static string Env(V1Job job, string name) => job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == name).Value;

    private static V1Job Gateway(LabSettings settings) => WorkshopChecks.HttpsGatewayJob(settings, Ip, Ca);

    private static string Answer(string body, string certs = "Subject:CN = x\\nIssuer:C = US, O = Let's Encrypt, CN = R11", string code = "200") =>
        $"0|{body}\\nCERTS:{certs}\\nHTTP_STATUS:{code}";

    [Fact]
    public void WithHttpsOffTheChecksAreTheWorkshopsThreeAsToday()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:observability"] = "false" });
        Assert.Equal([WorkshopChecks.Outside, WorkshopChecks.Inside, WorkshopChecks.Gateway], WorkshopChecks.For(settings));
        var jobs = WorkshopChecks.Build(settings, "asm-1-30", Ip).OfType<V1Job>().ToList();
        Assert.Equal(3, jobs.Count);
        Assert.Equal($"http://{Ip}/", Env(jobs[2], "TARGET_URL"));
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("lets-encrypt")]
    public void WithHttpsOnTheGatewayCheckUsesTheFqdnOverHttpsAndARedirectCheckIsAdded(string mode)
    {
        var settings = HttpsManifestTests.Settings(mode);

        var jobs = WorkshopChecks.Build(settings, "asm-1-30", Ip, Ca).OfType<V1Job>().ToList();

        Assert.Equal(["outside", "inside", "gateway", "redirect", "metrics", "kiali"], WorkshopChecks.For(settings).Select(c => c.Name));
        Assert.Equal(6, jobs.Count);
        Assert.Equal($"https://{settings.Https.Fqdn}/", Env(jobs[2], "TARGET_URL"));
        Assert.Equal($"http://{settings.Https.Fqdn}/", Env(jobs[3], "TARGET_URL"));
        Assert.Equal($"https://{settings.Https.Fqdn}/", Env(jobs[3], "EXPECT_LOCATION"));
        Assert.All(jobs, job => Assert.Matches("^check-(outside|inside|gateway|redirect|metrics|kiali)-[0-9a-f]{10}$", job.Metadata.Name));
    }

    [Fact]
    public void TheSelfSignedCheckMountsTheLabsCaFromAConfigMapInItsNamespace()
    {
        var objects = WorkshopChecks.Build(SelfSigned, "asm-1-30", Ip, Ca);
        var map = Assert.Single(objects.OfType<V1ConfigMap>());
        var job = Gateway(SelfSigned);

        Assert.Equal(("store-ca", "pets-outside-mesh"), (map.Metadata.Name, map.Metadata.NamespaceProperty));
        Assert.Equal(Ca, map.Data["ca.crt"]);
        Assert.Equal("store-ca", Assert.Single(job.Spec.Template.Spec.Volumes).ConfigMap.Name);
        var mount = Assert.Single(job.Spec.Template.Spec.Containers.Single().VolumeMounts);
        Assert.Equal(("/etc/istio-lab/ca", true), (mount.MountPath, mount.ReadOnlyProperty == true));
        Assert.Equal("/etc/istio-lab/ca/ca.crt", Env(job, "CA_FILE"));
        Assert.Equal("lab-ca", Env(job, "TLS_VERIFY"));
    }

    [Fact]
    public void TheSelfSignedCheckNeedsTheCa()
    {
        Assert.Throws<ArgumentException>(() => WorkshopChecks.HttpsGatewayJob(SelfSigned, Ip, null));
    }

    [Fact]
    public void TheSelfSignedCheckPassesTheCaToCurlAndPassesOn200WithTheTitle()
    {
        var (exit, output, calls) = runner.Run(Gateway(SelfSigned), Answer(Page));

        Assert.Equal(0, exit);
        Assert.StartsWith("PASS gateway:", output, StringComparison.Ordinal);
        Assert.Contains("--cacert /etc/istio-lab/ca/ca.crt", calls[0], StringComparison.Ordinal);
        Assert.DoesNotContain("--insecure", calls[0], StringComparison.Ordinal);
    }

    [Fact]
    public void TheProductionCheckUsesTheSystemTrustStore()
    {
        var (exit, _, calls) = runner.Run(Gateway(Production), Answer(Page));

        Assert.Equal(0, exit);
        Assert.DoesNotContain("--cacert", calls[0], StringComparison.Ordinal);
        Assert.DoesNotContain("--insecure", calls[0], StringComparison.Ordinal);
        Assert.Equal("system-trust", Env(Gateway(Production), "TLS_VERIFY"));
    }

    [Theory]
    [InlineData(0, "Issuer:C = US, O = (STAGING) Let's Encrypt, CN = (STAGING) Ersatz Edamame E1")]
    [InlineData(1, "Issuer:C = US, O = Let's Encrypt, CN = R11")]
    [InlineData(1, "Issuer:CN = some other CA")]
    public void TheStagingCheckSkipsVerificationButPassesOnlyOnAStagingIssuer(int expectedExit, string certs)
    {
        var (exit, output, calls) = runner.Run(Gateway(Staging), Answer(Page, certs));

        Assert.Equal(expectedExit, exit);
        Assert.StartsWith(expectedExit == 0 ? "PASS gateway:" : "FAIL gateway:", output, StringComparison.Ordinal);
        Assert.Contains("--insecure", calls[0], StringComparison.Ordinal);
        if (expectedExit != 0)
        {
            Assert.Contains("no certificate issuer containing '(STAGING)'", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheStagingCheckIgnoresAStagingMarkInThePageItself()
    {
        var (exit, _, _) = runner.Run(Gateway(Staging), Answer(Page + " (STAGING)"));

        Assert.Equal(1, exit);
    }

    [Theory]
    [InlineData(0, "60|\\nCERTS:\\nHTTP_STATUS:000", "ANSWER")]
    [InlineData(1, "60|\\nCERTS:\\nHTTP_STATUS:000")]
    [InlineData(1, "35|\\nCERTS:\\nHTTP_STATUS:000")]
    [InlineData(1, "0|<title>Welcome to nginx!</title>\\nCERTS:\\nHTTP_STATUS:200")]
    [InlineData(1, "0|<title>Contoso Pet Store</title>\\nCERTS:\\nHTTP_STATUS:404")]
    public void TheHttpsGatewayCheckRetriesAndFailsOnBadTlsOrAnotherPage(int expectedExit, params string[] plan)
    {
        var steps = plan.Select(p => p == "ANSWER" ? Answer(Page) : p).ToArray();

        var (exit, output, _) = runner.Run(Gateway(SelfSigned), steps);

        Assert.Equal(expectedExit, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedExit == 0 ? "PASS gateway:" : "FAIL gateway:", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0|301 https://{fqdn}/")]
    [InlineData(0, "7|000 ", "0|301 https://{fqdn}/")]
    [InlineData(1, "0|200 ")]
    [InlineData(1, "0|302 https://{fqdn}/")]
    [InlineData(1, "0|301 http://{fqdn}/")]
    [InlineData(1, "0|301 https://elsewhere.example/")]
    [InlineData(1, "28|000 ")]
    public void TheRedirectCheckPassesOnlyOnA301ToTheSameNameOverHttps(int expectedExit, params string[] plan)
    {
        var fqdn = SelfSigned.Https.Fqdn;

        var (exit, output, calls) = runner.Run(WorkshopChecks.RedirectJob(SelfSigned, Ip), [.. plan.Select(p => p.Replace("{fqdn}", fqdn, StringComparison.Ordinal))]);

        Assert.Equal(expectedExit, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedExit == 0 ? "PASS redirect:" : "FAIL redirect:", line, StringComparison.Ordinal);
        Assert.Contains($"http://{fqdn}/", calls[0], StringComparison.Ordinal);
    }

    [Fact]
    public void TheHttpsChecksAreBoundedLikeTheOthers()
    {
        Assert.All(new[] { Gateway(SelfSigned), Gateway(Staging), WorkshopChecks.RedirectJob(SelfSigned, Ip) }, job =>
        {
            Assert.Equal(WorkshopChecks.ActiveDeadlineSeconds, job.Spec.ActiveDeadlineSeconds);
            Assert.Equal(WorkshopChecks.BackoffLimit, job.Spec.BackoffLimit);
            Assert.Equal("false", job.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
            Assert.Equal(true, job.Spec.Template.Spec.Containers.Single().SecurityContext.ReadOnlyRootFilesystem);
        });
    }

    [Fact]
    public void ACaChangeRerunsTheGatewayCheckButNotTheRedirectCheck()
    {
        var before = WorkshopChecks.Build(SelfSigned, "asm-1-30", Ip, Ca).OfType<V1Job>().Select(j => j.Metadata.Name).ToList();
        var after = WorkshopChecks.Build(SelfSigned, "asm-1-30", Ip, Ca + "x").OfType<V1Job>().Select(j => j.Metadata.Name).ToList();

        Assert.NotEqual(before[2], after[2]);
        Assert.Equal(before[3], after[3]);
    }

    [Fact]
    public void EachModeSaysWhatTheGatewayCheckProves()
    {
        Assert.Contains("lab's CA", WorkshopChecks.HttpsGateway(SelfSigned).Proves, StringComparison.Ordinal);
        Assert.Contains("system trust store", WorkshopChecks.HttpsGateway(Production).Proves, StringComparison.Ordinal);
        Assert.Contains("(STAGING)", WorkshopChecks.HttpsGateway(Staging).Proves, StringComparison.Ordinal);
        Assert.Equal(WorkshopChecks.HttpsGateway(Staging).Proves, Gateway(Staging).Spec.Template.Metadata.Annotations["istio-lab/proves"]);
    }

    [Theory]
    [InlineData(0, "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + Ip + "\"}]}}}")]
    [InlineData(0, "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"20.1.1.1\"}]}}}", "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + Ip + "\"}]}}}")]
    [InlineData(1, "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"20.1.1.1\"}]}}}")]
    [InlineData(1, "0|{\"status\":{\"loadBalancer\":{}}}")]
    public void TheStaticIpWaitPassesOnlyOnceTheServiceUsesTheLabsIp(int expectedExit, params string[] plan)
    {
        var tokenDir = Directory.CreateTempSubdirectory("istio-lab-token-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tokenDir, "token"), "sa-token");
            var (exit, output, _) = runner.RunWith(IngressAddressWait.StaticAddressJob(SelfSigned, Ip), new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, plan);

            Assert.Equal(expectedExit, exit);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith(expectedExit == 0 ? "PASS static-ip:" : "FAIL static-ip:", line, StringComparison.Ordinal);
            if (expectedExit != 0)
            {
                Assert.Contains($"expected '{Ip}'", line, StringComparison.Ordinal);
                Assert.Contains("Network Contributor", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(tokenDir, recursive: true);
        }
    }
}
