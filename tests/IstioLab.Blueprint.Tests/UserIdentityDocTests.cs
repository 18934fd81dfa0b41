using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>docs/user-identity.md stays true: its policy table, its check table, its commands and its link from the README.</summary>
public class UserIdentityDocTests
{
    private static string Doc => File.ReadAllText(RepositoryFiles.PathOf("docs", "user-identity.md"));

    [Fact]
    public void TheDocsPolicyTableIsTheOneBuiltFromTheAccessRows()
    {
        Assert.Contains(GatewayAccess.Table(), Doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocNamesEveryPropertyOfTheIdentityCheck()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:userAuth"] = "lab-issuer" });

        Assert.All(IdentityCheck.Probes(settings), p => Assert.Contains($"| {p.Name} ", Doc, StringComparison.Ordinal));
        Assert.Contains(IdentityCheck.SecretName, Doc, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("userAuthIssuer")]
    [InlineData("userAuthAudience")]
    [InlineData("customerToken")]
    [InlineData("adminToken")]
    [InlineData("tokensExpire")]
    [InlineData("labIssuerSigningKey")]
    [InlineData("identityCheck")]
    public void TheDocDescribesEveryOutput(string output)
    {
        Assert.Contains($"`{output}`", Doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocsMintCommandIsTheOneTheCommandDocuments()
    {
        Assert.Contains("pulumi stack output labIssuerSigningKey --show-secrets", MintTokenCommand.Usage, StringComparison.Ordinal);
        Assert.Contains("pulumi stack output labIssuerSigningKey --show-secrets \\\n  | dotnet run --project infra/IstioLab.Blueprint -- mint-token --stack dev", Doc.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDocStatesTheTokensLifetimesAsTheCodeHasThem()
    {
        Assert.Equal(30, LabIssuer.TokenWindowHours / 24);
        Assert.Equal(7, LabIssuer.TokenRenewalHours / 24);
        Assert.Contains("30 days, early renewal 7 days", Doc, StringComparison.Ordinal);
        Assert.Contains($"valid for {LabIssuer.DefaultMintLifetime.TotalMinutes} minutes by default", Doc, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeLinksTheDoc()
    {
        Assert.Contains("(docs/user-identity.md)", File.ReadAllText(RepositoryFiles.PathOf("README.md")), StringComparison.Ordinal);
    }
}
