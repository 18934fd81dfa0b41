using System.Text.Json;

namespace IstioLab.Blueprint.Settings;

/// <summary>
/// The whole stack config as the Pulumi CLI hands it to a program: JSON in the environment variable
/// <see cref="ConfigVariable"/> (keys <c>namespace:name</c>, or the older <c>namespace:config:name</c>) and the
/// names of its secret keys in <see cref="SecretKeysVariable"/>. The program reads its known keys through
/// Pulumi's <c>Config</c>, which offers no way to list keys; this view is how a misspelt key is found at all.
/// </summary>
public static class StackConfigEnvironment
{
    public const string ConfigVariable = "PULUMI_CONFIG";
    public const string SecretKeysVariable = "PULUMI_CONFIG_SECRET_KEYS";

    /// <summary>What an error message shows instead of a secret key's value.</summary>
    public const string Redacted = "[secret]";

    /// <summary>Every key of the lab's namespace in the stack config, with its value, or <see cref="Redacted"/> for a secret.</summary>
    public static IReadOnlyDictionary<string, string> LabKeys(string? configJson, string? secretKeysJson)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(secretKeysJson))
        {
            using var keys = JsonDocument.Parse(secretKeysJson);
            foreach (var key in keys.RootElement.EnumerateArray())
            {
                secrets.Add(CleanKey(key.GetString() ?? ""));
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(configJson))
        {
            return result;
        }

        using var config = JsonDocument.Parse(configJson);
        foreach (var property in config.RootElement.EnumerateObject())
        {
            var key = CleanKey(property.Name);
            if (key.StartsWith(ConfigKeys.ProjectNamespace + ":", StringComparison.Ordinal))
            {
                result[key] = secrets.Contains(key) ? Redacted : property.Value.ToString();
            }
        }

        return result;
    }

    /// <summary>The lab's keys from this process's environment, as <c>pulumi up</c> and <c>pulumi preview</c> set it.</summary>
    public static IReadOnlyDictionary<string, string> LabKeysFromEnvironment() =>
        LabKeys(Environment.GetEnvironmentVariable(ConfigVariable), Environment.GetEnvironmentVariable(SecretKeysVariable));

    /// <summary><c>ns:config:name</c> becomes <c>ns:name</c>; anything else is kept.</summary>
    public static string CleanKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        const string legacy = "config:";
        return colon > 0 && key.AsSpan(colon + 1).StartsWith(legacy, StringComparison.Ordinal)
            ? string.Concat(key.AsSpan(0, colon + 1), key.AsSpan(colon + 1 + legacy.Length))
            : key;
    }
}
