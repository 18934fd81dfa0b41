using System.Text.Json;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary><c>mint-token</c>: one more token for a lab-issuer stack, from the key on stdin, accepted by the stack's gateway.</summary>
public sealed class MintTokenCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private readonly string root = Directory.CreateTempSubdirectory("istio-lab-mint-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private (int Code, string Out, string Err) Run(string stdin, string userAuth, params string[] args)
    {
        File.WriteAllText(Path.Combine(root, "Pulumi.yaml"), "name: istio-lab\nruntime: dotnet\n");
        File.WriteAllText(Path.Combine(root, "Pulumi.test.yaml"), $"config:\n  istio-lab:userAuth: {userAuth}\n  istio-lab:clusterName: shop\n" +
            (userAuth == "entra" ? "  istio-lab:entraAudience: api://shop\n" : ""));
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = MintTokenCommand.Run(["mint-token", .. args], input, stdout, stderr, root, Now);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void AMintedAdminTokenIsAcceptedByTheStacksGatewayForTheAdminApi()
    {
        var (code, output, errors) = Run(TestKeys.Signing, "lab-issuer", "--stack", "test", "--subject", "alice", "--role", "Store.Admin", "--lifetime-minutes", "30");

        Assert.Equal(0, code);
        Assert.Equal("", errors);
        var token = output.Trim();
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:userAuth"] = "lab-issuer", ["istio-lab:clusterName"] = "shop" });
        var loaded = LabManifest.Load(LabManifest.ToYaml(UserIdentityManifest.Build(settings, UserIdentityManifest.LabIssuerOf(settings, LabIssuer.Jwks(TestKeys.Signing)))));
        var authentication = loaded.OfType<RequestAuthentication>().Single();
        var policies = loaded.OfType<AuthorizationPolicy>().ToList();
        Assert.Equal(GatewayEvaluator.Allowed, GatewayEvaluator.Evaluate(authentication, policies, "GET", "/api/makeline/order/fetch", token, Now.AddMinutes(29)));
        Assert.Equal(GatewayEvaluator.Unauthenticated, GatewayEvaluator.Evaluate(authentication, policies, "GET", "/", token, Now.AddMinutes(31)));
        var claims = JsonDocument.Parse(GatewayEvaluator.Decode(token.Split('.')[1])).RootElement;
        Assert.Equal("urn:istio-lab:istio-lab-rg:shop/alice", $"{claims.GetProperty("iss").GetString()}/{claims.GetProperty("sub").GetString()}");
        Assert.Equal(Now.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
    }

    [Fact]
    public void ByDefaultATokenLivesOneHour()
    {
        var (_, output, _) = Run(TestKeys.Signing, "lab-issuer", "--stack", "test", "--subject", "alice");

        var claims = JsonDocument.Parse(GatewayEvaluator.Decode(output.Trim().Split('.')[1])).RootElement;
        Assert.Equal(3600, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
    }

    [Fact]
    public void AStackWithoutTheLabIssuerIsRefused()
    {
        var (code, output, errors) = Run(TestKeys.Signing, "entra", "--stack", "test", "--subject", "alice");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("istio-lab:userAuth=entra", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    public void NoKeyOnStdinIsRefusedWithTheCommandThatGivesIt(string stdin)
    {
        var (code, _, errors) = Run(stdin, "lab-issuer", "--stack", "test", "--subject", "alice");

        Assert.Equal(2, code);
        Assert.Contains("pulumi stack output labIssuerSigningKey --show-secrets", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("43201")]
    [InlineData("1h")]
    public void ALifetimeOutsideOneMinuteToThirtyDaysIsRefused(string minutes)
    {
        var (code, _, errors) = Run(TestKeys.Signing, "lab-issuer", "--stack", "test", "--subject", "alice", "--lifetime-minutes", minutes);

        Assert.Equal(2, code);
        Assert.Contains("--lifetime-minutes", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSubjectIsRequired()
    {
        var (code, _, errors) = Run(TestKeys.Signing, "lab-issuer", "--stack", "test");

        Assert.Equal(2, code);
        Assert.Contains("--subject", errors, StringComparison.Ordinal);
    }
}
