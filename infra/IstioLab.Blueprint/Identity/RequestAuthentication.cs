using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Security;

namespace IstioLab.Blueprint.Identity;

// The RequestAuthentication fields the lab sets, named as the Istio API names them (security.istio.io/v1,
// istio/api security/v1beta1/request_authentication.proto and jwt.proto).

/// <summary>
/// Which JWTs a workload accepts. A request with a token that fails validation is refused with 401 (403 when only its
/// audience is wrong: Envoy's jwt_authn filter, source/extensions/filters/http/jwt_authn/filter.cc); a request with no
/// token passes and simply has no request principal, so an AuthorizationPolicy must require one.
/// </summary>
public sealed class RequestAuthentication : IstioObject<RequestAuthenticationSpec>
{
    public RequestAuthentication()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "security.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "RequestAuthentication";
}

public sealed class RequestAuthenticationSpec
{
    public WorkloadSelector? Selector { get; set; }
    public List<JwtRule> JwtRules { get; set; } = [];
}

/// <summary>One accepted issuer: its name (the token's iss), the audiences one of which its aud must hold, and its keys.</summary>
public sealed class JwtRule
{
    public string Issuer { get; set; } = "";
    public List<string>? Audiences { get; set; }

    /// <summary>The issuer's public keys as a JWKS document, inline; or null with <see cref="JwksUri"/>.</summary>
    public string? Jwks { get; set; }

    /// <summary>Where istiod fetches the issuer's JWKS; or null with <see cref="Jwks"/>.</summary>
    public string? JwksUri { get; set; }
}
