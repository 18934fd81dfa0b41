using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>User identity under the mock engine: the gateway's objects, the lab issuer's key and tokens, the check's Secret and Job, and their order.</summary>
public class UserIdentityTests
{
    private const string SigningKey = "istio-lab-identity-signing-key";
    private const string ForgerKey = "istio-lab-identity-forger-key";
    private const string Authentication = "istio-lab-identity-jwt";
    private const string Access = "istio-lab-identity-access";
    private const string CheckGroup = "istio-lab-identity-check";
    private const string ChecksGroup = "istio-lab-checks-jobs";

    private static Dictionary<string, string> Config(string userAuth, params (string Key, string Value)[] more)
    {
        var config = new Dictionary<string, string> { ["istio-lab:userAuth"] = userAuth };
        foreach (var (key, value) in more)
        {
            config[key] = value;
        }

        return config;
    }

    private static LabSettings Settings(Dictionary<string, string> config) => LabSettings.Parse(config.ToDictionary(p => p.Key, p => (string?)p.Value));

    private static string NameOf(MockResourceArgs resource) => (string)Map(resource.Inputs["metadata"])["name"];

    private static JsonElement Claims(string token) => JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement;

    private static byte[] Base64Url(string text)
    {
        var b64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '='));
    }

    [Fact]
    public async Task WithUserIdentityOffNothingOfItIsCreatedAndNoOutputAppears()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(Config("off"));

        Assert.Empty(lab.OfType(RequestAuthenticationType));
        Assert.DoesNotContain(lab.Registered, r => r.Name!.StartsWith("istio-lab-identity", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs.Keys, k => k is "userAuthIssuer" or "userAuthAudience" or "customerToken" or "adminToken" or "tokensExpire" or "labIssuerSigningKey" or "identityCheck");
    }

    [Fact]
    public async Task TheGatewaysObjectsAreTheBlueprintsWithTheSigningKeysJwksInTheIngressNamespace()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config("lab-issuer"));

        var settings = Settings(Config("lab-issuer"));
        var issuer = UserIdentityManifest.LabIssuerOf(settings, LabIssuer.Jwks(lab.RsaKeys[SigningKey].ExportRSAPrivateKeyPem()));
        var jwt = lab.Single(RequestAuthenticationType);
        var policy = lab.OfType(PolicyType).Single(p => p.Name == Access);
        var provider = lab.Single(ProviderType);
        Assert.All([jwt, policy], r =>
        {
            Assert.Equal("aks-istio-ingress", Map(r.Inputs["metadata"])["namespace"]);
            Assert.Equal("security.istio.io/v1", r.Inputs["apiVersion"]);
            Assert.Contains($"{ProviderType}::{provider.Name}::", r.Provider, StringComparison.Ordinal);
        });
        Assert.Equal(Canonical(PlainTree.Of(UserIdentityManifest.Authentication(settings, issuer).Spec)), Canonical(jwt.Inputs["spec"]));
        Assert.Equal(Canonical(PlainTree.Of(UserIdentityManifest.Policy(settings, issuer).Spec)), Canonical(policy.Inputs["spec"]));
        var key = lab.OfType(PrivateKeyType).Single(k => k.Name == SigningKey);
        Assert.Equal(("RSA", 2048), (key.Inputs["algorithm"], Convert.ToInt32(key.Inputs["rsaBits"], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task TheTokenOutputsAreSecretsThatTheRequestAuthenticationsJwksVerifies()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(Config("lab-issuer", ("istio-lab:checks", "false")));

        var jwks = (string)List(Map(lab.Single(RequestAuthenticationType).Inputs["spec"])["jwtRules"]).Cast<ImmutableDictionary<string, object>>().Single()["jwks"];
        var published = JsonDocument.Parse(jwks).RootElement.GetProperty("keys")[0];
        using var rsa = RSA.Create(new RSAParameters { Modulus = Base64Url(published.GetProperty("n").GetString()!), Exponent = Base64Url(published.GetProperty("e").GetString()!) });
        foreach (var (output, subject) in new[] { ("customerToken", "lab-customer"), ("adminToken", "lab-admin") })
        {
            var token = Assert.IsType<Output<string>>(outputs[output]);
            Assert.True(await Output.IsSecretAsync(token), $"{output} must be a secret");
            var parts = (await ValueOf(token)).Split('.');
            Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            var claims = Claims(string.Join('.', parts));
            Assert.Equal(subject, claims.GetProperty("sub").GetString());
            Assert.Equal(DateTimeOffset.Parse(CertificateStart, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
            Assert.Equal(DateTimeOffset.Parse(CertificateEnd, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        }

        Assert.True(await Output.IsSecretAsync(Assert.IsType<Output<string>>(outputs["labIssuerSigningKey"])));
        Assert.Equal("urn:istio-lab:istio-lab-rg:istio-lab-aks", await ValueOf(Assert.IsType<Output<string>>(outputs["userAuthIssuer"])));
        Assert.Equal("urn:istio-lab:istio-lab-rg:istio-lab-aks:store", await ValueOf(Assert.IsType<Output<string>>(outputs["userAuthAudience"])));
        Assert.Equal(CertificateEnd, await ValueOf(Assert.IsType<Output<string>>(outputs["tokensExpire"])));
    }

    [Fact]
    public async Task TheTokenWindowIsAThirtyDayCertificateOnTheSigningKeyRenewedInItsLastWeek()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config("lab-issuer"));

        var window = lab.Single(SelfSignedCertType).Inputs;
        Assert.Equal(720, Convert.ToInt32(window["validityPeriodHours"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(168, Convert.ToInt32(window["earlyRenewalHours"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(lab.RsaKeys[SigningKey].ExportRSAPrivateKeyPem(), window["privateKeyPem"]);
    }

    [Fact]
    public async Task TheSameKeyAndWindowGiveTheSameTokensOnASecondRun()
    {
        var lab = new LabHarness();
        var first = await lab.RunAsync(Config("lab-issuer", ("istio-lab:checks", "false")));
        var second = await lab.RunAsync(Config("lab-issuer", ("istio-lab:checks", "false")));

        Assert.Equal(await ValueOf((Output<string>)first["adminToken"]!), await ValueOf((Output<string>)second["adminToken"]!));
    }

    [Fact]
    public async Task ThePolicyWaitsForTheRequestAuthenticationWhichWaitsForTheGatewayToExist()
    {
        var lab = new LabHarness { Slow = r => r.Name is "istio-lab-mesh-ingress-wait" || r.Type == RequestAuthenticationType };
        await lab.RunAsync(Config("lab-issuer"));

        Assert.True(lab.WaitedFor(Authentication, "istio-lab-mesh-ingress-wait"));
        Assert.True(lab.WaitedFor(Access, Authentication));
    }

    [Fact]
    public async Task TheIdentityCheckRunsAfterTheWorkshopsChecksWithItsTokensInASecretOutsideTheMesh()
    {
        var lab = new LabHarness { Slow = r => r.Name is ChecksGroup || r.Type is SecretType or PolicyType };
        var outputs = await lab.RunAsync(Config("lab-issuer"));

        var secret = lab.OfType(SecretType).Single(s => NameOf(s) == IdentityCheck.SecretName);
        Assert.Equal("pets-outside-mesh", Map(secret.Inputs["metadata"])["namespace"]);
        Assert.Equal(["admin", "customer", "forged"], Map(secret.Inputs["stringData"]).Keys.Order(StringComparer.Ordinal));
        Assert.True(lab.WaitedFor(secret.Name!, ChecksGroup), "the Secret lives in the checks' namespace");
        Assert.True(lab.WaitedFor(CheckGroup, ChecksGroup), "the identity check runs after the gateway check");
        Assert.True(lab.WaitedFor(CheckGroup, secret.Name!));
        Assert.True(lab.WaitedFor(CheckGroup, Access));
        var yaml = (string)lab.OfType(ConfigGroupType).Single(g => g.Name == CheckGroup).Inputs["yaml"];
        Assert.Contains("check-identity-", yaml, StringComparison.Ordinal);
        Assert.All(Map(secret.Inputs["stringData"]).Values.Cast<string>(), token => Assert.DoesNotContain(token, yaml, StringComparison.Ordinal));
        Assert.Matches("^pets-outside-mesh/check-identity-[0-9a-f]{10}: ", await ValueOf((Output<string>)outputs["identityCheck"]!));
    }

    [Fact]
    public async Task TheForgedTokenNamesTheRightIssuerButIsSignedByAnotherKey()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config("lab-issuer"));

        var forged = (string)Map(lab.OfType(SecretType).Single(s => NameOf(s) == IdentityCheck.SecretName).Inputs["stringData"])["forged"];
        Assert.Equal("urn:istio-lab:istio-lab-rg:istio-lab-aks", Claims(forged).GetProperty("iss").GetString());
        var parts = forged.Split('.');
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        Assert.True(lab.RsaKeys[ForgerKey].VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False(lab.RsaKeys[SigningKey].VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task WithEntraAndNoTenantTheGatewayTrustsTheDeployersTenantAndNoSigningKeyExists()
    {
        var lab = new LabHarness();
        var outputs = await lab.RunAsync(Config("entra", ("istio-lab:entraAudience", "api://shop")));

        var rule = List(Map(lab.Single(RequestAuthenticationType).Inputs["spec"])["jwtRules"]).Cast<ImmutableDictionary<string, object>>().Single();
        Assert.Equal("https://login.microsoftonline.com/tenant-id/v2.0", rule["issuer"]);
        Assert.Equal("https://login.microsoftonline.com/tenant-id/discovery/v2.0/keys", rule["jwksUri"]);
        Assert.Equal(ForgerKey, lab.Single(PrivateKeyType).Name);
        Assert.Equal(["forged"], Map(lab.OfType(SecretType).Single(s => NameOf(s) == IdentityCheck.SecretName).Inputs["stringData"]).Keys);
        Assert.False(outputs.ContainsKey("customerToken"));
        Assert.Equal("api://shop", await ValueOf((Output<string>)outputs["userAuthAudience"]!));
    }

    [Fact]
    public async Task WithTheAllowListTheGatewayMayReachStoreAdminForTheAdminApi()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config("lab-issuer", ("istio-lab:authorization", "allow-list")));

        var storeAdmin = lab.OfType(PolicyType).Single(p => NameOf(p) == "allow-store-admin");
        Assert.Contains("aks-istio-ingress", Canonical(storeAdmin.Inputs["spec"]), StringComparison.Ordinal);
        var route = lab.OfType("kubernetes:networking.istio.io/v1:VirtualService").Single();
        Assert.Contains("/api/makeline/", Canonical(route.Inputs["spec"]), StringComparison.Ordinal);
    }
}
