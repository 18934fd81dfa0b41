using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Security;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Istio's request-level semantics at one workload (the gateway), written from the Istio docs and Envoy's jwt_authn
/// filter, not from the blueprint: a RequestAuthentication rejects a present but invalid token (bad signature for every
/// key of the JWKS, unknown issuer, expired or not yet valid) with 401, and one for no accepted audience with 403
/// (Envoy's only 403 there); a request without a token passes with no request principal. Then AuthorizationPolicies: any matching DENY gives 403; with no ALLOW policy the request is allowed;
/// otherwise it is allowed only when a rule of an ALLOW policy matches, else 403. Rules match when any from, any to and
/// every when match; string patterns are exact, prefix (<c>x*</c>), suffix (<c>*x</c>) or presence (<c>*</c>); a list
/// claim matches when any element is among the values. 200 here means "let through by the gateway".
/// </summary>
internal static class GatewayEvaluator
{
    public const int Allowed = 200;
    public const int Unauthenticated = 401;
    public const int Forbidden = 403;

    public static int Evaluate(RequestAuthentication authentication, IEnumerable<AuthorizationPolicy> policies, string method, string path, string? token, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        string? principal = null;
        Dictionary<string, JsonElement> claims = [];
        if (token is not null)
        {
            var (status, valid) = Validate(authentication, token, now);
            if (valid is null)
            {
                return status;
            }

            (principal, claims) = valid.Value;
        }

        var urlPath = path.Split('?')[0];
        var all = policies.ToList();
        if (all.Any(p => p.Spec.Action == "DENY" && Matches(p, method, urlPath, principal, claims)))
        {
            return Forbidden;
        }

        var allow = all.Where(p => p.Spec.Action is null or "ALLOW").ToList();
        return allow.Count == 0 || allow.Any(p => Matches(p, method, urlPath, principal, claims)) ? Allowed : Forbidden;
    }

    public static bool PatternMatches(string pattern, string value) => pattern switch
    {
        "*" => value.Length > 0,
        _ when pattern.EndsWith('*') => value.StartsWith(pattern[..^1], StringComparison.Ordinal),
        _ when pattern.StartsWith('*') => value.EndsWith(pattern[1..], StringComparison.Ordinal),
        _ => pattern == value,
    };

    private static bool Matches(AuthorizationPolicy policy, string method, string path, string? principal, Dictionary<string, JsonElement> claims) =>
        (policy.Spec.Rules ?? []).Any(rule =>
            (rule.From is null || rule.From.Any(f => SourceMatches(f.Source, principal)))
            && (rule.To is null || rule.To.Any(t => OperationMatches(t.Operation, method, path)))
            && (rule.When is null || rule.When.All(c => ConditionHolds(c, claims))));

    private static bool SourceMatches(AuthorizationSource source, string? principal)
    {
        if (source.Principals is not null || source.Namespaces is not null)
        {
            throw new NotSupportedException("a gateway rule on mTLS identities: the evaluator judges end users only");
        }

        return source.RequestPrincipals is null || (principal is not null && source.RequestPrincipals.Any(p => PatternMatches(p, principal)));
    }

    private static bool OperationMatches(AuthorizationOperation operation, string method, string path) =>
        (operation.Methods is null || operation.Methods.Contains(method))
        && (operation.Paths is null || operation.Paths.Any(p => PatternMatches(p, path)))
        && (operation.NotPaths is null || !operation.NotPaths.Any(p => PatternMatches(p, path)))
        && operation.Ports is null && operation.Hosts is null;

    private static bool ConditionHolds(AuthorizationCondition condition, Dictionary<string, JsonElement> claims)
    {
        const string Prefix = "request.auth.claims[";
        if (!condition.Key.StartsWith(Prefix, StringComparison.Ordinal) || !condition.Key.EndsWith(']'))
        {
            throw new NotSupportedException($"condition {condition.Key}");
        }

        if (!claims.TryGetValue(condition.Key[Prefix.Length..^1], out var claim))
        {
            return false;
        }

        var values = condition.Values ?? [];
        return claim.ValueKind == JsonValueKind.Array
            ? claim.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && values.Contains(e.GetString()!))
            : claim.ValueKind == JsonValueKind.String && values.Contains(claim.GetString()!);
    }

    private static (int Status, (string Principal, Dictionary<string, JsonElement> Claims)? Valid) Validate(RequestAuthentication authentication, string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return (Unauthenticated, null);
        }

        using var header = JsonDocument.Parse(Decode(parts[0]));
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Decode(parts[1]))!;
        if (header.RootElement.GetProperty("alg").GetString() != "RS256")
        {
            return (Unauthenticated, null);
        }

        var kid = header.RootElement.TryGetProperty("kid", out var k) ? k.GetString() : null;
        foreach (var rule in authentication.Spec.JwtRules)
        {
            if (!payload.TryGetValue("iss", out var iss) || iss.GetString() != rule.Issuer)
            {
                continue;
            }

            var audiences = payload.TryGetValue("aud", out var aud)
                ? aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Select(a => a.GetString()).ToList() : [aud.GetString()]
                : [];
            // Envoy's jwt_authn answers this one failure with 403 ("Audiences in Jwt are not allowed"), every other with 401.
            if (rule.Audiences is { Count: > 0 } accepted && !audiences.Any(a => a is not null && accepted.Contains(a)))
            {
                return (Forbidden, null);
            }

            var seconds = now.ToUnixTimeSeconds();
            if (!payload.TryGetValue("exp", out var exp) || exp.GetInt64() <= seconds
                || (payload.TryGetValue("nbf", out var nbf) && nbf.GetInt64() > seconds))
            {
                return (Unauthenticated, null);
            }

            var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            var signature = Decode(parts[2]);
            using var jwks = JsonDocument.Parse(rule.Jwks ?? throw new NotSupportedException("the evaluator needs the JWKS inline"));
            foreach (var key in jwks.RootElement.GetProperty("keys").EnumerateArray())
            {
                if (kid is not null && key.TryGetProperty("kid", out var keyId) && keyId.GetString() != kid)
                {
                    continue;
                }

                using var rsa = RSA.Create(new RSAParameters
                {
                    Modulus = Decode(key.GetProperty("n").GetString()!),
                    Exponent = Decode(key.GetProperty("e").GetString()!),
                });
                if (rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    return (Allowed, ($"{iss.GetString()}/{payload["sub"].GetString()}", payload));
                }
            }

            return (Unauthenticated, null);
        }

        return (Unauthenticated, null);
    }

    public static byte[] Decode(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }
}
