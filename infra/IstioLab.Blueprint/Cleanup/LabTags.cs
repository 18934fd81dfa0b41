using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Cleanup;

/// <summary>
/// The tags every Azure resource of a stack carries, so cost tools can attribute it and the expiry workflow's
/// reader can see when it ends: the lab's own four, then the user's (<c>istio-lab:tags</c>).
/// </summary>
public static class LabTags
{
    /// <summary>Marks what the lab made; its value is always <see cref="ManagedByValue"/>.</summary>
    public const string ManagedBy = "managed-by";

    public const string ManagedByValue = ConfigKeys.ProjectNamespace;

    /// <summary>The Pulumi stack the resource belongs to.</summary>
    public const string Stack = "stack";

    /// <summary>Who answers for the lab (<c>istio-lab:owner</c>); only when set.</summary>
    public const string Owner = "owner";

    /// <summary>When the lab is destroyed (<c>istio-lab:expiresAt</c>); only when set.</summary>
    public const string ExpiresAt = "expires-at";

    /// <summary>The names the lab sets itself, which <c>istio-lab:tags</c> may not use.</summary>
    public static IReadOnlyList<string> LabNames { get; } = [ManagedBy, Stack, Owner, ExpiresAt];

    /// <summary>How many of <c>istio-lab:tags</c> fit beside the lab's own under Azure's per-resource limit.</summary>
    public static int MaxUserTags => AzureTagRules.MaxTagsPerResource - LabNames.Count;

    /// <summary>The tags of every taggable resource of <paramref name="stack"/>, sorted by name.</summary>
    public static IReadOnlyDictionary<string, string> For(LabSettings settings, string stack)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(stack);
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings.Cleanup.Tags)
        {
            tags[name] = value;
        }

        tags[ManagedBy] = ManagedByValue;
        tags[Stack] = stack;
        if (settings.Cleanup.Owner is { } owner)
        {
            tags[Owner] = owner;
        }

        if (settings.Cleanup.ExpiresAt is { } expiresAt)
        {
            tags[ExpiresAt] = Expiry.Text(expiresAt);
        }

        return tags;
    }
}
