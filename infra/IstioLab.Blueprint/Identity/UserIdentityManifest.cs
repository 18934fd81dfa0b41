using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Identity;

/// <summary>The issuer the gateway trusts: its name, the audience it requires, and its keys (inline, or where to fetch them).</summary>
public sealed record TokenIssuer(string Issuer, string Audience, string? Jwks, string? JwksUri)
{
    /// <summary>What every request principal of this issuer starts with: Istio names a caller <c>&lt;iss&gt;/&lt;sub&gt;</c>.</summary>
    public string PrincipalPattern => Issuer + "/*";
}

/// <summary>
/// The gateway's end-user objects, both in the add-on's ingress namespace and selecting its external gateway's pods (an
/// Istio policy applies to the workloads of its own namespace): a RequestAuthentication for the one issuer, and one
/// ALLOW AuthorizationPolicy derived from <see cref="GatewayAccess.Rules"/>. Nothing while <c>istio-lab:userAuth</c> is off.
/// </summary>
public static class UserIdentityManifest
{
    public const string RequestAuthenticationName = "store-user-jwt";
    public const string PolicyName = "store-user-access";

    /// <summary>What the render prints for values known only at deploy time.</summary>
    public const string JwksPlaceholder = """{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"jwks-known-at-deploy-time","n":"placeholder","e":"AQAB"}]}""";
    public const string TenantPlaceholder = "deployer-tenant-known-at-deploy-time";

    /// <summary>
    /// Microsoft Entra ID's v2.0 endpoints for a tenant (MicrosoftDocs/entra-docs
    /// <c>docs/identity-platform/v2-protocols-oidc.md</c>: authority <c>https://login.microsoftonline.com/{tenant}/v2.0</c>,
    /// <c>jwks_uri</c> <c>https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys</c>). A v2.0 access token's iss is
    /// the authority (<c>docs/identity-platform/access-tokens.md</c>); a v1.0 token's is <c>https://sts.windows.net/{tenant}/</c>
    /// and is refused, so the API's app registration must ask for v2.0 tokens (<c>requestedAccessTokenVersion: 2</c>).
    /// </summary>
    public const string EntraAuthority = "https://login.microsoftonline.com";

    public static string EntraIssuerName(string tenantId) => $"{EntraAuthority}/{tenantId}/v2.0";

    public static string EntraJwksUri(string tenantId) => $"{EntraAuthority}/{tenantId}/discovery/v2.0/keys";

    /// <summary>The lab issuer with its JWKS (the public half of the stack's signing key).</summary>
    public static TokenIssuer LabIssuerOf(LabSettings settings, string jwks) =>
        new(LabIssuer.IssuerName(settings), LabIssuer.AudienceName(settings), jwks, null);

    /// <summary>Entra ID for the configured tenant, else <paramref name="deployerTenantId"/>, with the configured audience.</summary>
    public static TokenIssuer EntraOf(LabSettings settings, string deployerTenantId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tenant = settings.UserAuth.EntraTenantId ?? deployerTenantId;
        return new TokenIssuer(EntraIssuerName(tenant), settings.UserAuth.EntraAudience ?? "", null, EntraJwksUri(tenant));
    }

    /// <summary>The issuer of a stack, from its deploy-time facts: the lab key's JWKS, or the deployer's tenant.</summary>
    public static TokenIssuer IssuerOf(LabSettings settings, string jwks, string deployerTenantId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.UserAuth.Mode switch
        {
            UserAuthMode.LabIssuer => LabIssuerOf(settings, jwks),
            UserAuthMode.Entra => EntraOf(settings, deployerTenantId),
            _ => throw new ArgumentException("user identity is off", nameof(settings)),
        };
    }

    /// <summary>The issuer the render shows, with placeholders for the JWKS and the deployer's tenant.</summary>
    public static TokenIssuer Placeholder(LabSettings settings) => IssuerOf(settings, JwksPlaceholder, TenantPlaceholder);

    /// <summary>The RequestAuthentication and the AuthorizationPolicy; none while user identity is off.</summary>
    public static IReadOnlyList<k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>> Build(LabSettings settings, TokenIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.UserAuth.Enabled ? [Authentication(settings, issuer), Policy(settings, issuer)] : [];
    }

    public static RequestAuthentication Authentication(LabSettings settings, TokenIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(issuer);
        return new RequestAuthentication
        {
            Metadata = Kube.Meta(RequestAuthenticationName, MeshManifest.IngressNamespace, Labels),
            Spec = new RequestAuthenticationSpec
            {
                Selector = GatewayPods,
                JwtRules = [new JwtRule { Issuer = issuer.Issuer, Audiences = [issuer.Audience], Jwks = issuer.Jwks, JwksUri = issuer.JwksUri }],
            },
        };
    }

    /// <summary>One ALLOW rule per row of <see cref="GatewayAccess.Rules"/>; no rule matches what no row names, so it is denied.</summary>
    public static AuthorizationPolicy Policy(LabSettings settings, TokenIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(issuer);
        return new AuthorizationPolicy
        {
            Metadata = Kube.Meta(PolicyName, MeshManifest.IngressNamespace, Labels),
            Spec = new AuthorizationPolicySpec
            {
                Selector = GatewayPods,
                Action = "ALLOW",
                Rules = [.. GatewayAccess.Rules(settings).Select(row => Rule(row, issuer))],
            },
        };
    }

    private static AuthorizationRule Rule(GatewayAccessRule row, TokenIssuer issuer) => new()
    {
        From = row.Who == GatewayAudience.Anyone ? null : [new RuleFrom { Source = new AuthorizationSource { RequestPrincipals = [issuer.PrincipalPattern] } }],
        To =
        [
            new RuleTo
            {
                Operation = new AuthorizationOperation
                {
                    Methods = row.Methods is null ? null : [.. row.Methods],
                    Paths = row.Paths is null ? null : [.. row.Paths],
                    NotPaths = row.NotPaths is null ? null : [.. row.NotPaths],
                },
            },
        ],
        When = row.Who == GatewayAudience.Admin
            ? [new AuthorizationCondition { Key = $"request.auth.claims[{GatewayAccess.RolesClaim}]", Values = [GatewayAccess.AdminRole] }]
            : null,
    };

    /// <summary>The add-on's external gateway pods (AKS docs articles/aks/istio-deploy-ingress.md: the Gateway selects them with this label).</summary>
    private static WorkloadSelector GatewayPods => new()
    {
        MatchLabels = new Dictionary<string, string> { [MeshManifest.IngressSelectorKey] = MeshManifest.IngressSelectorValue },
    };

    private static Dictionary<string, string> Labels => new()
    {
        ["app.kubernetes.io/part-of"] = Kube.StorePartOf,
        ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
        ["app.kubernetes.io/component"] = "user-identity",
    };
}
