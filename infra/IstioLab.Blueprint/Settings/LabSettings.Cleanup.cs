using System.Text.Json;
using IstioLab.Blueprint.Cleanup;

namespace IstioLab.Blueprint.Settings;

/// <summary>Who a lab belongs to, the tags it adds, and when it ends.</summary>
/// <param name="Owner">The <c>owner</c> tag, or null for none.</param>
/// <param name="Tags">The user's own tags (<c>istio-lab:tags</c>), already valid for Azure.</param>
/// <param name="ExpiresAt">When the expiry workflow destroys the stack, or null for never.</param>
/// <param name="Ttl">The time to live the expiry was made from, or null.</param>
public sealed record CleanupOptions(string? Owner, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? ExpiresAt, TimeSpan? Ttl)
{
    /// <summary>No owner, no tags of the user's, no expiry: the settings unless configured.</summary>
    public static CleanupOptions None { get; } = new(null, new Dictionary<string, string>(), null, null);

    /// <summary>The stack output <c>expiresAt</c>: the time, or a sentence saying there is none.</summary>
    public string ExpiresAtOutput => ExpiresAt is { } time ? Expiry.Text(time) : "never: istio-lab:expiresAt is not set";
}

public sealed partial record LabSettings
{
    /// <summary>Owner, tags and expiry; none unless configured.</summary>
    public CleanupOptions Cleanup { get; init; } = CleanupOptions.None;

    /// <summary>
    /// The cleanup rules: the owner and every tag valid as Azure requires (all problems reported), the expiry a
    /// readable UTC time still ahead of <paramref name="now"/>, and a time to live already fixed as an expiry.
    /// </summary>
    private static CleanupOptions ParseCleanup(List<SettingError> errors, Func<ConfigKey, string?> optional, DateTimeOffset now)
    {
        var owner = optional(ConfigKeys.Owner);
        foreach (var problem in owner is null ? [] : AzureTagRules.ValueProblems(owner))
        {
            errors.Add(new SettingError(ConfigKeys.Owner.FullName, owner!, "must be a valid tag value: " + problem));
        }

        var tags = ParseTags(errors, optional(ConfigKeys.Tags));

        var ttlText = optional(ConfigKeys.Ttl);
        TimeSpan? ttl = null;
        if (ttlText is not null)
        {
            if (Expiry.TryParseTtl(ttlText, out var parsedTtl))
            {
                ttl = parsedTtl;
            }
            else
            {
                Check(errors, ConfigKeys.Ttl, ttlText, false,
                    $"a whole number of hours or days such as 8h or 2d, from {Expiry.MinTtl.TotalHours:0}h to {Expiry.MaxTtl.TotalDays:0}d, or empty for none");
            }
        }

        var expiresText = optional(ConfigKeys.ExpiresAt);
        DateTimeOffset? expiresAt = null;
        var example = Expiry.Text(now + (ttl ?? TimeSpan.FromHours(8)));
        if (expiresText is not null)
        {
            if (!Expiry.TryParseTime(expiresText, out var parsed))
            {
                Check(errors, ConfigKeys.ExpiresAt, expiresText, false,
                    $"an ISO 8601 UTC time with a trailing Z, such as {example}, or empty for none");
            }
            else if (parsed <= now)
            {
                errors.Add(new SettingError(ConfigKeys.ExpiresAt.FullName, expiresText,
                    $"is in the past (it is {Expiry.Text(now)} now): extend it with `pulumi config set {ConfigKeys.ExpiresAt.FullName} {example}`, " +
                    $"remove it with `pulumi config rm {ConfigKeys.ExpiresAt.FullName}`, or let the lab go with `pulumi destroy`"));
            }
            else
            {
                expiresAt = parsed;
            }
        }
        else if (ttl is not null)
        {
            errors.Add(new SettingError(ConfigKeys.Ttl.FullName, ttlText!,
                $"is not fixed as a time yet, so every preview would see a later expiry: run `pulumi config set {ConfigKeys.ExpiresAt.FullName} {example}` " +
                "(now plus the time to live) once; the review-stack workflow does this itself"));
        }

        return owner is null && tags.Count == 0 && expiresAt is null && ttl is null
            ? CleanupOptions.None
            : new CleanupOptions(owner, tags, expiresAt, ttl);
    }

    /// <summary>Reads <c>istio-lab:tags</c>, a JSON object of names to text values, and checks each tag and the count.</summary>
    private static Dictionary<string, string> ParseTags(List<SettingError> errors, string? json)
    {
        var tags = new Dictionary<string, string>(AzureTagRules.NameComparer);
        if (json is null)
        {
            return tags;
        }

        var key = ConfigKeys.Tags;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            Check(errors, key, json, false, """a JSON object of tag names to values, such as {"team":"platform","cost-center":"1234"}""");
            return tags;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                Check(errors, key, json, false, """a JSON object of tag names to values, such as {"team":"platform","cost-center":"1234"}""");
                return tags;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var name = property.Name;
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => null,
                };
                var problems = AzureTagRules.NameProblems(name).ToList();
                if (value is null)
                {
                    problems.Add("a tag value must be text, a number or true/false");
                }
                else
                {
                    problems.AddRange(AzureTagRules.ValueProblems(value));
                }

                if (LabTags.LabNames.FirstOrDefault(n => AzureTagRules.NameComparer.Equals(n, name)) is { } own)
                {
                    problems.Add($"'{own}' is set by the lab itself" + (own == LabTags.Owner ? $" (use {ConfigKeys.Owner.FullName})" : own == LabTags.ExpiresAt ? $" (use {ConfigKeys.ExpiresAt.FullName})" : ""));
                }

                if (value is not null && !tags.TryAdd(name, value))
                {
                    problems.Add("Azure compares tag names without case, so this name is given twice");
                }

                errors.AddRange(problems.Select(p => new SettingError(key.FullName, name, p)));
            }
        }

        if (tags.Count > LabTags.MaxUserTags)
        {
            errors.Add(new SettingError(key.FullName, $"{tags.Count} tags",
                $"holds at most {LabTags.MaxUserTags} tags: Azure allows {AzureTagRules.MaxTagsPerResource} per resource and the lab sets up to {LabTags.LabNames.Count} of its own"));
        }

        return tags;
    }
}
