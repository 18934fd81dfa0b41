using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Tests;

/// <summary>The gateway's end-user policy, judged by Istio's semantics for every caller and every request the store makes.</summary>
public class UserIdentityPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private static LabSettings Settings(string variant = "all-in-one", string authorization = "open") => LabSettings.Parse(new Dictionary<string, string?>
    {
        ["istio-lab:userAuth"] = "lab-issuer",
        ["istio-lab:storeVariant"] = variant,
        ["istio-lab:authorization"] = authorization,
    });

    /// <summary>The objects as the cluster gets them: rendered to YAML with a real JWKS and read back.</summary>
    private static (RequestAuthentication Authentication, List<AuthorizationPolicy> Policies) Deployed(LabSettings settings)
    {
        var issuer = UserIdentityManifest.LabIssuerOf(settings, LabIssuer.Jwks(TestKeys.Signing));
        var loaded = LabManifest.Load(LabManifest.ToYaml(UserIdentityManifest.Build(settings, issuer)));
        return (loaded.OfType<RequestAuthentication>().Single(), loaded.OfType<AuthorizationPolicy>().ToList());
    }

    private static string Token(LabSettings settings, string key, string subject, params string[] roles) =>
        LabIssuer.Mint(key, new TokenClaims(LabIssuer.IssuerName(settings), LabIssuer.AudienceName(settings), subject, roles, Now.AddHours(-1), Now.AddHours(1)));

    /// <summary>Anonymous, a forger (right claims and the admin role, another key), a customer, an admin.</summary>
    private static IReadOnlyList<(string Name, string? Token)> Callers(LabSettings settings) =>
    [
        ("anonymous", null),
        ("forged", Token(settings, TestKeys.Forger, "mallory", GatewayAccess.AdminRole)),
        ("customer", Token(settings, TestKeys.Signing, "alice")),
        ("admin", Token(settings, TestKeys.Signing, "bob", GatewayAccess.AdminRole)),
    ];

    private const int A = GatewayEvaluator.Allowed;
    private const int U = GatewayEvaluator.Unauthenticated;
    private const int F = GatewayEvaluator.Forbidden;

    /// <summary>
    /// Every request the store's two front ends make through the gateway (store-front's SPA and nginx, store-admin's SPA
    /// and nginx at aks-store-demo 2.1.0), and some it must not let through, with the status for anonymous, forged,
    /// customer, admin: written out here, not derived from the blueprint's table.
    /// </summary>
    public static TheoryData<string, string, int, int, int, int> AllInOneRequests => new()
    {
        { "GET", "/", A, U, A, A },
        { "GET", "/assets/index-abc123.js", A, U, A, A },
        { "GET", "/product/3", A, U, A, A },
        { "HEAD", "/", A, U, A, A },
        { "GET", "/health", A, U, A, A },
        { "GET", "/.well-known/acme-challenge/token", A, U, A, A },
        { "GET", "/api/products", A, U, A, A },
        { "GET", "/api/products/3", A, U, A, A },
        { "GET", "/api/products?page=2", A, U, A, A },
        { "POST", "/api/orders", F, U, A, A },
        { "POST", "/api/orders/", F, U, A, A },
        { "POST", "/api/products", F, U, F, A },
        { "PUT", "/api/products", F, U, F, A },
        { "DELETE", "/api/products/3", F, U, F, A },
        { "GET", "/api/makeline/order/fetch", F, U, F, A },
        { "GET", "/api/makeline/order/42", F, U, F, A },
        { "PUT", "/api/makeline/order", F, U, F, A },
        { "POST", "/api/product", F, U, F, A },
        { "PUT", "/api/product", F, U, F, A },
        { "DELETE", "/api/product/3", F, U, F, A },
        // Closed for everyone: what no row names.
        { "GET", "/api/orders", F, U, F, F },
        { "POST", "/", F, U, F, F },
        { "OPTIONS", "/api/orders", F, U, F, F },
        { "POST", "//api/orders", F, U, F, F },
        { "GET", "/api/ai/health", F, U, F, F },
    };

    [Theory]
    [MemberData(nameof(AllInOneRequests))]
    public void EveryCallerGetsWhatTheAccessTableSaysForEveryRequestOfTheStore(string method, string path, int anonymous, int forged, int customer, int admin)
    {
        var settings = Settings();
        var (authentication, policies) = Deployed(settings);

        var got = Callers(settings).Select(c => GatewayEvaluator.Evaluate(authentication, policies, method, path, c.Token, Now)).ToArray();

        Assert.Equal([anonymous, forged, customer, admin], got);
    }

    [Theory]
    [InlineData("GET", "/api/makeline/order/fetch")]
    [InlineData("PUT", "/api/product")]
    public void TheQuickstartStoreHasNoAdminApiSoItsPathsAreClosedEvenToTheAdmin(string method, string path)
    {
        var settings = Settings("quickstart");
        var (authentication, policies) = Deployed(settings);

        Assert.All(Callers(settings), c => Assert.NotEqual(A, GatewayEvaluator.Evaluate(authentication, policies, method, path, c.Token, Now)));
        Assert.Empty(GatewayAccess.Routes(settings));
    }

    [Fact]
    public void ATokenOutsideItsLifetimeOrFromAnotherIssuerIsRefusedWith401AndOneForAnotherAudienceWith403EvenOnAPublicPage()
    {
        var settings = Settings();
        var (authentication, policies) = Deployed(settings);
        var issuer = LabIssuer.IssuerName(settings);
        var audience = LabIssuer.AudienceName(settings);
        string[] tokens =
        [
            LabIssuer.Mint(TestKeys.Signing, new TokenClaims(issuer, audience, "alice", [], Now.AddHours(-2), Now.AddHours(-1))),
            LabIssuer.Mint(TestKeys.Signing, new TokenClaims(issuer, audience, "alice", [], Now.AddHours(1), Now.AddHours(2))),
            LabIssuer.Mint(TestKeys.Signing, new TokenClaims("urn:someone-else", audience, "alice", [], Now.AddHours(-1), Now.AddHours(1))),
        ];
        var otherAudience = LabIssuer.Mint(TestKeys.Signing, new TokenClaims(issuer, "another-api", "alice", [], Now.AddHours(-1), Now.AddHours(1)));

        Assert.All(tokens, t => Assert.Equal(U, GatewayEvaluator.Evaluate(authentication, policies, "GET", "/", t, Now)));
        Assert.Equal(F, GatewayEvaluator.Evaluate(authentication, policies, "GET", "/", otherAudience, Now));
    }

    [Fact]
    public void BothObjectsLiveInTheAddOnsIngressNamespaceAndSelectTheExternalGatewaysPods()
    {
        var settings = Settings();
        var (authentication, policies) = Deployed(settings);

        var policy = Assert.Single(policies);
        foreach (var (meta, selector) in new[] { (authentication.Metadata, authentication.Spec.Selector!), (policy.Metadata, policy.Spec.Selector!) })
        {
            Assert.Equal("aks-istio-ingress", meta.NamespaceProperty);
            Assert.Equal(new Dictionary<string, string> { ["istio"] = "aks-istio-ingressgateway-external" }, selector.MatchLabels);
        }

        Assert.Equal("ALLOW", policy.Spec.Action);
        Assert.Equal("security.istio.io/v1", authentication.ApiVersion);
    }

    [Fact]
    public void EveryRuleThatNeedsASignedInCallerRequiresARequestPrincipalOfTheIssuer()
    {
        var settings = Settings();
        var issuer = UserIdentityManifest.LabIssuerOf(settings, LabIssuer.Jwks(TestKeys.Signing));
        var policy = UserIdentityManifest.Policy(settings, issuer);

        foreach (var (row, rule) in GatewayAccess.Rules(settings).Zip(policy.Spec.Rules!))
        {
            if (row.Who == GatewayAudience.Anyone)
            {
                Assert.Null(rule.From);
            }
            else
            {
                Assert.Equal([$"{LabIssuer.IssuerName(settings)}/*"], Assert.Single(rule.From!).Source.RequestPrincipals);
            }
        }
    }

    [Fact]
    public void WithUserIdentityOnTheGatewayRoutesTheAdminApiToStoreAdminBeforeTheCatchAll()
    {
        var route = MeshManifest.StoreRoute(Settings());

        Assert.Equal(3, route.Spec.Http.Count);
        Assert.Equal("/api/makeline/", route.Spec.Http[0].Match.Single().Uri.Prefix);
        Assert.Equal(["/api/product", null], route.Spec.Http[1].Match.Select(m => m.Uri.Exact));
        Assert.Equal([null, "/api/product/"], route.Spec.Http[1].Match.Select(m => m.Uri.Prefix));
        Assert.All(route.Spec.Http.Take(2), r => Assert.Equal(("store-admin", 80), (r.Route.Single().Destination.Host, r.Route.Single().Destination.Port.Number)));
        Assert.Equal("/", route.Spec.Http[2].Match.Single().Uri.Prefix);
    }

    [Fact]
    public void WithUserIdentityOffTheRouteIsTheWorkshopsAndNoGatewayObjectExists()
    {
        var settings = LabSettings.Defaults;

        Assert.Equal("/", Assert.Single(MeshManifest.StoreRoute(settings).Spec.Http).Match.Single().Uri.Prefix);
        Assert.Empty(UserIdentityManifest.Build(settings, UserIdentityManifest.LabIssuerOf(settings, "{}")));
        var objects = LabManifest.Build(settings, "asm-1-27", "pw", "1.2.3.4");
        Assert.DoesNotContain(objects, o => o is RequestAuthentication || (o is AuthorizationPolicy && o.Metadata.NamespaceProperty == "aks-istio-ingress"));
        Assert.DoesNotContain(objects, o => o.Metadata.Name.StartsWith("check-identity", StringComparison.Ordinal) || o.Metadata.Name == IdentityCheck.SecretName);
        Assert.Empty(GatewayAccess.Routes(settings));
    }

    [Fact]
    public void UnderTheAllowListTheGatewayMayReachStoreAdminOnItsContainerPortOnlyWithUserIdentityOn()
    {
        static bool GatewayReachesStoreAdmin(LabSettings s) => AuthorizationManifest.AllowedCalls(s)
            .Any(a => a.Caller.Name == "ingress gateway" && a.Call.Callee == "store-admin" && a.Call.Port == 8081);

        Assert.True(GatewayReachesStoreAdmin(Settings(authorization: "allow-list")));
        Assert.False(GatewayReachesStoreAdmin(LabSettings.Defaults with { Authorization = AuthorizationMode.AllowList }));
        Assert.Contains(AuthorizationManifest.AllowedCalls(Settings(authorization: "allow-list")),
            a => a.Caller.Name == "ingress gateway" && a.Call.Callee == StoreCatalog.StoreFront && a.Call.Port == 8080);
    }

    [Fact]
    public void WithEntraTheGatewayTrustsTheTenantsV2IssuerAndFetchesItsKeys()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:userAuth"] = "entra",
            ["istio-lab:entraTenantId"] = "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
            ["istio-lab:entraAudience"] = "api://istio-lab-store",
        });

        var rule = Assert.Single(UserIdentityManifest.Authentication(settings, UserIdentityManifest.EntraOf(settings, "ignored-deployer-tenant")).Spec.JwtRules);

        Assert.Equal("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", rule.Issuer);
        Assert.Equal("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys", rule.JwksUri);
        Assert.Null(rule.Jwks);
        Assert.Equal(["api://istio-lab-store"], rule.Audiences);
    }

    [Fact]
    public void WithEntraAndNoTenantTheDeployersTenantIsUsed()
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:userAuth"] = "entra", ["istio-lab:entraAudience"] = "api://shop" });

        var issuer = UserIdentityManifest.IssuerOf(settings, "unused-jwks", "11111111-2222-3333-4444-555555555555");

        Assert.Equal("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0", issuer.Issuer);
        Assert.Equal("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/*", issuer.PrincipalPattern);
    }
}
