using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The HTTPS page (docs/https.md) stays true to the blueprint.</summary>
public class HttpsReadmeTests
{
    private static string Readme => File.ReadAllText(RepositoryFiles.PathOf("docs", "https.md"));

    private static string ChecksPage => File.ReadAllText(RepositoryFiles.PathOf("docs", "checks.md"));

    [Fact]
    public void TheReadmeNamesEveryHttpsModeAndAcmeServer()
    {
        var readme = Readme;

        Assert.All(LabSettings.HttpsModeNames.Keys, mode => Assert.Contains($"| `{mode}`", readme, StringComparison.Ordinal));
        Assert.Contains($"pulumi config set {ConfigKeys.AcmeServer.FullName} production", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeNamesTheRedirectCheckAndWhatTheStagingCheckProves()
    {
        var readme = Readme;

        Assert.Contains($"| `{WorkshopChecks.Redirect.Name}` |", ChecksPage, StringComparison.Ordinal);
        Assert.Contains("--insecure", readme, StringComparison.Ordinal);
        Assert.Contains(WorkshopChecks.StagingIssuerMark, readme, StringComparison.Ordinal);
        Assert.Contains($"ConfigMap `{WorkshopChecks.CaConfigMapName}`", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeSaysHowToTrustTheCaAndWhereToLookWhenACertificateIsPending()
    {
        var readme = Readme;

        Assert.Contains("curl --cacert", readme, StringComparison.Ordinal);
        Assert.Contains("pulumi stack output caCertificate", readme, StringComparison.Ordinal);
        Assert.Contains($"kubectl describe certificate -n {MeshManifest.IngressNamespace}", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeNamesThePinnedChartTheAnnotationsTheFieldManagerAndTheWaits()
    {
        var readme = Readme;

        Assert.Contains($"chart `{CertManagerManifest.Chart.Version}` from `{CertManagerManifest.Chart.Repository}`", readme, StringComparison.Ordinal);
        Assert.Contains(StaticAddress.PublicIpNameAnnotation, readme, StringComparison.Ordinal);
        Assert.Contains(StaticAddress.ResourceGroupAnnotation, readme, StringComparison.Ordinal);
        Assert.Contains($"(`{StaticAddress.FieldManager}`)", readme, StringComparison.Ordinal);
        Assert.Contains($"`{IngressAddressWait.StaticAddressName}`", readme, StringComparison.Ordinal);
        Assert.Contains($"{CertManagerManifest.WaitForAnnotation}: {CertManagerManifest.WaitForReady}` ({CertManagerManifest.CertificateTimeoutSeconds} s)", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeExplainsHowTheAcmeChallengeEscapesTheRedirectAndMarksItUnconfirmed()
    {
        var readme = Readme;

        Assert.Contains("/.well-known/acme-challenge/", readme, StringComparison.Ordinal);
        Assert.Contains("httpsRedirect", readme, StringComparison.Ordinal);
        Assert.Contains("UNCONFIRMED", readme, StringComparison.Ordinal);
        Assert.Contains("USD an hour", readme, StringComparison.Ordinal);
    }
}
