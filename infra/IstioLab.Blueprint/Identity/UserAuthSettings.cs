using System.Text.RegularExpressions;

namespace IstioLab.Blueprint.Settings;

/// <summary>Who may call the store through the ingress gateway, by the caller's own identity (<c>istio-lab:userAuth</c>).</summary>
public enum UserAuthMode
{
    /// <summary>The workshop's behaviour: the gateway checks no token and every request is anonymous.</summary>
    Off,

    /// <summary>The stack's own issuer: a signing key kept as a Pulumi secret, its JWKS inline, tokens minted for the walk-through.</summary>
    LabIssuer,

    /// <summary>Microsoft Entra ID's v2.0 tokens for one tenant and one audience.</summary>
    Entra,
}

/// <summary>The user-identity settings of a stack.</summary>
/// <param name="Mode">Off, the lab's issuer, or Entra ID.</param>
/// <param name="EntraTenantId">With Entra: the tenant (a GUID, lowercase), or null for the tenant of the principal that deploys.</param>
/// <param name="EntraAudience">With Entra: the audience callers request tokens for (application ID URI or client ID).</param>
public sealed record UserAuthOptions(UserAuthMode Mode, string? EntraTenantId, string? EntraAudience)
{
    /// <summary>User identity is off: what a <see cref="LabSettings"/> has unless <see cref="LabSettings.Parse"/> says otherwise.</summary>
    public static UserAuthOptions Disabled { get; } = new(UserAuthMode.Off, null, null);

    public bool Enabled => Mode != UserAuthMode.Off;
}

public sealed partial record LabSettings
{
    /// <summary>End-user identity at the ingress gateway; off unless configured.</summary>
    public UserAuthOptions UserAuth { get; init; } = UserAuthOptions.Disabled;

    /// <summary>Config spelling of each <see cref="UserAuthMode"/>.</summary>
    public static IReadOnlyDictionary<string, UserAuthMode> UserAuthModeNames { get; } = new Dictionary<string, UserAuthMode>(StringComparer.Ordinal)
    {
        ["off"] = UserAuthMode.Off,
        ["lab-issuer"] = UserAuthMode.LabIssuer,
        ["entra"] = UserAuthMode.Entra,
    };

    /// <summary>The config spelling of <see cref="UserAuth"/>'s mode.</summary>
    public string UserAuthName => UserAuthModeNames.Single(pair => pair.Value == UserAuth.Mode).Key;

    /// <summary>
    /// The user-identity rules: a known mode; with <c>entra</c> an audience (required) and, when set, a tenant in GUID
    /// form; the Entra keys only with <c>entra</c>, so a stale key is refused rather than silently ignored.
    /// </summary>
    private static UserAuthOptions ParseUserAuth(List<SettingError> errors, Func<ConfigKey, string> value, Func<ConfigKey, string?> optional)
    {
        var modeText = value(ConfigKeys.UserAuth);
        var known = UserAuthModeNames.TryGetValue(modeText, out var mode);
        Check(errors, ConfigKeys.UserAuth, modeText, known, "one of: " + string.Join(", ", UserAuthModeNames.Keys));

        var tenant = optional(ConfigKeys.EntraTenantId);
        if (tenant is not null)
        {
            Check(errors, ConfigKeys.EntraTenantId, tenant, Guid.TryParseExact(tenant, "D", out _),
                "a Microsoft Entra tenant ID in GUID form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: `az account show --query tenantId -o tsv`), or empty for the tenant of the principal that runs pulumi up");
        }

        var audience = optional(ConfigKeys.EntraAudience);
        if (audience is not null)
        {
            Check(errors, ConfigKeys.EntraAudience, audience, Guid.TryParseExact(audience, "D", out _) || AudienceUriPattern().IsMatch(audience),
                "the application (client) ID of the API's app registration (a GUID) or its application ID URI (e.g. api://istio-lab-store), as the tokens' aud claim carries it");
        }

        if (known && mode == UserAuthMode.Entra && audience is null)
        {
            errors.Add(new SettingError(ConfigKeys.EntraAudience.FullName, "",
                $"is required with {ConfigKeys.UserAuth.FullName}=entra: the application (client) ID or application ID URI callers request tokens for " +
                $"(`pulumi config set {ConfigKeys.EntraAudience.FullName} <client id>`)"));
        }

        if (known && mode != UserAuthMode.Entra)
        {
            foreach (var (key, given) in new[] { (ConfigKeys.EntraTenantId, tenant), (ConfigKeys.EntraAudience, audience) })
            {
                if (given is not null)
                {
                    errors.Add(new SettingError(key.FullName, given,
                        $"applies only with {ConfigKeys.UserAuth.FullName}=entra: set it, or unset {key.FullName} (`pulumi config rm {key.FullName}`)"));
                }
            }
        }

        return mode == UserAuthMode.Entra
            ? new UserAuthOptions(mode, tenant?.ToLowerInvariant(), audience)
            : mode == UserAuthMode.Off ? UserAuthOptions.Disabled : new UserAuthOptions(mode, null, null);
    }

    [GeneratedRegex(@"^(api|https)://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$")]
    private static partial Regex AudienceUriPattern();
}
