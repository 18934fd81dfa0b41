using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Identity;

/// <summary>What one token says: who, for which issuer and audience, with which roles, from when until when.</summary>
/// <param name="Issuer">The iss claim.</param>
/// <param name="Audience">The aud claim.</param>
/// <param name="Subject">The sub claim; Istio's request principal is <c>&lt;iss&gt;/&lt;sub&gt;</c>.</param>
/// <param name="Roles">The roles claim (a list); empty leaves the claim out.</param>
/// <param name="IssuedAt">iat and nbf.</param>
/// <param name="Expires">exp.</param>
public sealed record TokenClaims(string Issuer, string Audience, string Subject, IReadOnlyList<string> Roles, DateTimeOffset IssuedAt, DateTimeOffset Expires);

/// <summary>
/// The lab's own token issuer: an RSA key (made and kept by the Pulumi program as a secret), its public half published
/// as a JWKS (RFC 7517) inline in the RequestAuthentication, and RS256 tokens (RFC 7515/7519) signed with it. A token
/// is a pure function of the key and its claims: RSASSA-PKCS1-v1_5 signatures are deterministic and the JSON is written
/// in a fixed order, so the same key and time inputs give the same token and a preview shows no change.
/// </summary>
public static class LabIssuer
{
    /// <summary>The signing algorithm: RS256 (RSASSA-PKCS1-v1_5 with SHA-256), which Istio's JWT filter accepts.</summary>
    public const string Algorithm = "RS256";

    /// <summary>RSA key size of the lab's signing key and of the check's forger key.</summary>
    public const int RsaBits = 2048;

    /// <summary>
    /// The stack's token window, in hours: the tokens in the outputs are issued when the window starts (the issuer
    /// certificate's creation) and expire when it ends. 30 days.
    /// </summary>
    public const int TokenWindowHours = 720;

    /// <summary>Within this many hours of the window's end, the next <c>pulumi up</c> starts a new window and re-issues the tokens. 7 days.</summary>
    public const int TokenRenewalHours = 168;

    /// <summary>The default and the longest lifetime of a token from <c>mint-token</c>.</summary>
    public static TimeSpan DefaultMintLifetime { get; } = TimeSpan.FromHours(1);

    public static TimeSpan MaxMintLifetime { get; } = TimeSpan.FromHours(TokenWindowHours);

    /// <summary>The subjects of the two tokens in the stack's outputs.</summary>
    public const string CustomerSubject = "lab-customer";
    public const string AdminSubject = "lab-admin";

    /// <summary>The subject of the check's forged token (signed by a key the JWKS does not hold).</summary>
    public const string ForgedSubject = "forged-admin";

    /// <summary>The lab issuer's name (the tokens' iss): stable, derived from the stack's resource group and cluster.</summary>
    public static string IssuerName(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"urn:istio-lab:{settings.ResourceGroupName}:{settings.ClusterName}";
    }

    /// <summary>The audience the lab issuer's tokens are for (aud): the store of this stack.</summary>
    public static string AudienceName(LabSettings settings) => IssuerName(settings) + ":store";

    /// <summary>The customer's and the admin's claims for a window starting at <paramref name="issuedAt"/>.</summary>
    public static TokenClaims Customer(LabSettings settings, DateTimeOffset issuedAt, DateTimeOffset expires) =>
        new(IssuerName(settings), AudienceName(settings), CustomerSubject, [], issuedAt, expires);

    public static TokenClaims Admin(LabSettings settings, DateTimeOffset issuedAt, DateTimeOffset expires) =>
        new(IssuerName(settings), AudienceName(settings), AdminSubject, [GatewayAccess.AdminRole], issuedAt, expires);

    /// <summary>The JWKS holding the public half of <paramref name="pem"/> (a private or public RSA key in PEM).</summary>
    public static string Jwks(string pem)
    {
        var (n, e) = PublicNumbers(pem);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            json.WriteStartObject();
            json.WriteString("kty", "RSA");
            json.WriteString("use", "sig");
            json.WriteString("alg", Algorithm);
            json.WriteString("kid", KeyId(pem));
            json.WriteString("n", n);
            json.WriteString("e", e);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The key's id: its RFC 7638 JWK thumbprint (SHA-256 of the canonical e, kty, n members), base64url.</summary>
    public static string KeyId(string pem)
    {
        var (n, e) = PublicNumbers(pem);
        return Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""")));
    }

    /// <summary>A compact RS256 JWT with <paramref name="claims"/>, signed with <paramref name="privateKeyPem"/>.</summary>
    public static string Mint(string privateKeyPem, TokenClaims claims)
    {
        ArgumentException.ThrowIfNullOrEmpty(privateKeyPem);
        ArgumentNullException.ThrowIfNull(claims);
        if (claims.Expires <= claims.IssuedAt)
        {
            throw new ArgumentException($"a token must expire after it is issued ({claims.IssuedAt:O} .. {claims.Expires:O})", nameof(claims));
        }

        var header = Json(json =>
        {
            json.WriteString("alg", Algorithm);
            json.WriteString("kid", KeyId(privateKeyPem));
            json.WriteString("typ", "JWT");
        });
        var payload = Json(json =>
        {
            json.WriteString("iss", claims.Issuer);
            json.WriteString("sub", claims.Subject);
            json.WriteString("aud", claims.Audience);
            json.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber("nbf", claims.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber("exp", claims.Expires.ToUnixTimeSeconds());
            if (claims.Roles.Count > 0)
            {
                json.WriteStartArray(GatewayAccess.RolesClaim);
                foreach (var role in claims.Roles)
                {
                    json.WriteStringValue(role);
                }

                json.WriteEndArray();
            }
        });

        var signingInput = $"{Base64Url(header)}.{Base64Url(payload)}";
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>An RFC 3339 time as the Pulumi TLS provider reports a certificate's validity (e.g. 2026-12-05T10:00:00Z).</summary>
    public static DateTimeOffset ParseTime(string rfc3339)
    {
        ArgumentException.ThrowIfNullOrEmpty(rfc3339);
        return DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (string N, string E) PublicNumbers(string pem)
    {
        ArgumentException.ThrowIfNullOrEmpty(pem);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return (Base64Url(parameters.Modulus!), Base64Url(parameters.Exponent!));
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
