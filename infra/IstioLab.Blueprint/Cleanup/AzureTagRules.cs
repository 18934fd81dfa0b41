namespace IstioLab.Blueprint.Cleanup;

/// <summary>
/// Azure's rules for resource tags, as data. Source: Azure docs
/// articles/azure-resource-manager/management/tag-resources.md, section "Limitations", unless a member says otherwise.
/// </summary>
public static class AzureTagRules
{
    /// <summary>"Each resource, resource group, and subscription can have a maximum of 50 tag name/value pairs."</summary>
    public const int MaxTagsPerResource = 50;

    /// <summary>
    /// "The tag name is limited to 512 characters ... For storage accounts, the tag name is limited to 128
    /// characters." The lab holds every name to the stricter limit, so one tag set is valid on every resource type
    /// (AKS copies a cluster's tags to the resources it makes in its node resource group).
    /// </summary>
    public const int MaxNameLength = 128;

    /// <summary>"the tag value is limited to 256 characters" (storage accounts too).</summary>
    public const int MaxValueLength = 256;

    /// <summary>"Tag names can't contain these characters: &lt;, &gt;, %, &amp;, \, ?, /".</summary>
    public static IReadOnlyList<char> ForbiddenNameCharacters { get; } = ['<', '>', '%', '&', '\\', '?', '/'];

    /// <summary>
    /// Prefixes Azure keeps for its own tag names, compared without case. UNCONFIRMED: the version of
    /// tag-resources.md checked does not list them (later versions are said to); Azure reserves the same words in
    /// resource names (articles/azure-resource-manager/troubleshooting/error-reserved-resource-name.md: AZURE is
    /// reserved, MICROSOFT and WINDOWS may not appear at all). Refusing them can only refuse a name Azure would
    /// accept, never let through one it refuses.
    /// </summary>
    public static IReadOnlyList<string> ReservedNamePrefixes { get; } = ["microsoft", "azure", "windows"];

    /// <summary>"Tag names are case-insensitive for operations": two names that differ only in case are one tag.</summary>
    public static StringComparer NameComparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>What is wrong with a tag name, one sentence per broken rule; empty when Azure accepts it.</summary>
    public static IEnumerable<string> NameProblems(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Trim().Length == 0)
        {
            yield return "a tag name must not be empty";
            yield break;
        }

        if (name.Length > MaxNameLength)
        {
            yield return $"a tag name has at most {MaxNameLength} characters (Azure's limit for storage accounts, the strictest; this one has {name.Length})";
        }

        var forbidden = ForbiddenNameCharacters.Where(name.Contains).ToList();
        if (forbidden.Count > 0)
        {
            yield return "a tag name must not contain " + string.Join(" ", ForbiddenNameCharacters) + " (it contains " + string.Join(" ", forbidden) + ")";
        }

        if (ReservedNamePrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)) is { } prefix)
        {
            yield return $"a tag name must not start with '{prefix}': Azure reserves the prefixes " + string.Join(", ", ReservedNamePrefixes);
        }
    }

    /// <summary>What is wrong with a tag value; empty when Azure accepts it.</summary>
    public static IEnumerable<string> ValueProblems(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > MaxValueLength)
        {
            yield return $"a tag value has at most {MaxValueLength} characters (this one has {value.Length})";
        }
    }
}
