namespace IstioLab.Blueprint.Settings;

/// <summary>Who may call whom inside the store's namespace (<c>istio-lab:authorization</c>).</summary>
public enum AuthorizationMode
{
    /// <summary>The workshop's behaviour: STRICT mTLS, and any meshed workload may call any other.</summary>
    Open,

    /// <summary>The allow-list's policies are applied with <c>istio.io/dry-run</c>: they only log what they would deny.</summary>
    DryRun,

    /// <summary>Deny by default; only the store's real calls, drawn from its call graph, are allowed.</summary>
    AllowList,
}

public sealed partial record LabSettings
{
    /// <summary>Whether the allow-list is off, logged only, or enforced.</summary>
    public AuthorizationMode Authorization { get; init; } = AuthorizationMode.Open;

    /// <summary>Config spelling of each <see cref="AuthorizationMode"/>, in the order a safe rollout takes them.</summary>
    public static IReadOnlyDictionary<string, AuthorizationMode> AuthorizationModeNames { get; } = new Dictionary<string, AuthorizationMode>(StringComparer.Ordinal)
    {
        ["open"] = AuthorizationMode.Open,
        ["dry-run"] = AuthorizationMode.DryRun,
        ["allow-list"] = AuthorizationMode.AllowList,
    };

    /// <summary>The config spelling of <see cref="Authorization"/>.</summary>
    public string AuthorizationName => AuthorizationModeNames.Single(pair => pair.Value == Authorization).Key;

    private static AuthorizationMode ParseAuthorization(string text, List<SettingError> errors)
    {
        var known = AuthorizationModeNames.TryGetValue(text, out var mode);
        Check(errors, ConfigKeys.Authorization, text, known, "one of: " + string.Join(", ", AuthorizationModeNames.Keys));
        return mode;
    }
}
