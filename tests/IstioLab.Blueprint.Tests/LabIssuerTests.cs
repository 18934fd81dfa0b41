using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The lab issuer's keys and tokens: what a token says, how long it lives, that the published JWKS verifies it, and that it is stable.</summary>
public class LabIssuerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private static LabSettings Settings => LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:userAuth"] = "lab-issuer" });

    private static JsonElement Part(string token, int index) => JsonDocument.Parse(GatewayEvaluator.Decode(token.Split('.')[index])).RootElement;

    [Fact]
    public void TheAdminTokenSaysWhoForWhichIssuerAndAudienceWithTheAdminRoleAndItsWindow()
    {
        var end = Start.AddHours(LabIssuer.TokenWindowHours);
        var token = LabIssuer.Mint(TestKeys.Signing, LabIssuer.Admin(Settings, Start, end));

        var header = Part(token, 0);
        var claims = Part(token, 1);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal("urn:istio-lab:istio-lab-rg:istio-lab-aks", claims.GetProperty("iss").GetString());
        Assert.Equal("urn:istio-lab:istio-lab-rg:istio-lab-aks:store", claims.GetProperty("aud").GetString());
        Assert.Equal("lab-admin", claims.GetProperty("sub").GetString());
        Assert.Equal(["Store.Admin"], claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1796464800, claims.GetProperty("iat").GetInt64());
        Assert.Equal(1796464800, claims.GetProperty("nbf").GetInt64());
        Assert.Equal(1796464800 + (30 * 24 * 3600), claims.GetProperty("exp").GetInt64());
    }

    [Fact]
    public void TheCustomerTokenHasNoRolesClaim()
    {
        var claims = Part(LabIssuer.Mint(TestKeys.Signing, LabIssuer.Customer(Settings, Start, Start.AddHours(1))), 1);

        Assert.Equal("lab-customer", claims.GetProperty("sub").GetString());
        Assert.False(claims.TryGetProperty("roles", out _));
    }

    [Fact]
    public void TheTokensWindowIsThirtyDaysRenewedInItsLastWeek()
    {
        Assert.Equal(TimeSpan.FromDays(30), TimeSpan.FromHours(LabIssuer.TokenWindowHours));
        Assert.Equal(TimeSpan.FromDays(7), TimeSpan.FromHours(LabIssuer.TokenRenewalHours));
    }

    [Fact]
    public void ATokenVerifiesWithThePublishedJwksAndOnlyWithIt()
    {
        var token = LabIssuer.Mint(TestKeys.Signing, LabIssuer.Customer(Settings, Start, Start.AddHours(1)));
        var parts = token.Split('.');
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        var signature = GatewayEvaluator.Decode(parts[2]);

        bool VerifiesWith(string jwks)
        {
            var key = JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Single();
            using var rsa = RSA.Create(new RSAParameters { Modulus = GatewayEvaluator.Decode(key.GetProperty("n").GetString()!), Exponent = GatewayEvaluator.Decode(key.GetProperty("e").GetString()!) });
            return rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        Assert.True(VerifiesWith(LabIssuer.Jwks(TestKeys.Signing)));
        Assert.False(VerifiesWith(LabIssuer.Jwks(TestKeys.Forger)));
    }

    [Fact]
    public void TheJwksIsOneRsaSigningKeyWhoseKidIsTheTokensKid()
    {
        var key = JsonDocument.Parse(LabIssuer.Jwks(TestKeys.Signing)).RootElement.GetProperty("keys").EnumerateArray().Single();
        var token = LabIssuer.Mint(TestKeys.Signing, LabIssuer.Customer(Settings, Start, Start.AddHours(1)));

        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("RS256", key.GetProperty("alg").GetString());
        Assert.Equal("AQAB", key.GetProperty("e").GetString());
        Assert.Equal(256, GatewayEvaluator.Decode(key.GetProperty("n").GetString()!).Length);
        Assert.Equal(Part(token, 0).GetProperty("kid").GetString(), key.GetProperty("kid").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public void TheKeyIdIsTheRfc7638ThumbprintOfThePublicKey()
    {
        // RFC 7638 section 3.1: this key's thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
        const string N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        using var rsa = RSA.Create(new RSAParameters { Modulus = GatewayEvaluator.Decode(N), Exponent = GatewayEvaluator.Decode("AQAB") });

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", LabIssuer.KeyId(rsa.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void TheSameKeyAndTimesGiveTheSameTokenSoAPreviewShowsNoChange()
    {
        var first = LabIssuer.Mint(TestKeys.Signing, LabIssuer.Admin(Settings, Start, Start.AddDays(30)));
        var second = LabIssuer.Mint(TestKeys.Signing, LabIssuer.Admin(Settings, Start, Start.AddDays(30)));
        var later = LabIssuer.Mint(TestKeys.Signing, LabIssuer.Admin(Settings, Start.AddSeconds(1), Start.AddDays(30)));

        Assert.Equal(first, second);
        Assert.NotEqual(first, later);
        Assert.Equal(LabIssuer.Jwks(TestKeys.Signing), LabIssuer.Jwks(TestKeys.Signing));
    }

    [Fact]
    public void ThePublicKeyPemGivesTheSameJwksAsThePrivateKey()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(TestKeys.Signing);

        Assert.Equal(LabIssuer.Jwks(TestKeys.Signing), LabIssuer.Jwks(rsa.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void ATokenThatWouldExpireBeforeItIsIssuedIsRefused()
    {
        Assert.Throws<ArgumentException>(() => LabIssuer.Mint(TestKeys.Signing, LabIssuer.Customer(Settings, Start, Start)));
    }

    [Fact]
    public void TheTlsProvidersValidityTimesAreReadAsUtc()
    {
        Assert.Equal(Start, LabIssuer.ParseTime("2026-12-05T10:00:00Z"));
        Assert.Equal(Start, LabIssuer.ParseTime("2026-12-05T11:00:00+01:00"));
    }

    [Fact]
    public void TheIssuerAndAudienceAreStableNamesDerivedFromTheStack()
    {
        var other = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:userAuth"] = "lab-issuer", ["istio-lab:clusterName"] = "shop" });

        Assert.Equal(LabIssuer.IssuerName(Settings), LabIssuer.IssuerName(Settings));
        Assert.Equal("urn:istio-lab:istio-lab-rg:shop", LabIssuer.IssuerName(other));
        Assert.Equal("urn:istio-lab:istio-lab-rg:shop:store", LabIssuer.AudienceName(other));
    }
}
