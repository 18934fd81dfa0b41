using IstioLab.Blueprint.Settings;
using YamlDotNet.RepresentationModel;

namespace IstioLab.Blueprint.Rendering;

/// <summary>
/// A plain key/value view of a stack's config as Pulumi would see it: project-level values and defaults from
/// <c>Pulumi.yaml</c>, overridden by <c>Pulumi.&lt;stack&gt;.yaml</c>, overridden by <c>--set</c>. Encrypted
/// (<c>secure:</c>) values are never decrypted: they appear as <see cref="SecretMarker"/>.
/// </summary>
public static class StackConfig
{
    public const string SecretMarker = "[secret]";

    /// <summary>Loads the merged config of <paramref name="stack"/> from the project root.</summary>
    public static Dictionary<string, string?> Load(string projectRoot, string stack)
    {
        var projectFile = Path.Combine(projectRoot, "Pulumi.yaml");
        var stackFile = Path.Combine(projectRoot, $"Pulumi.{stack}.yaml");
        if (!File.Exists(stackFile))
        {
            throw new StackConfigException($"no stack file {stackFile}: create it with `pulumi stack init {stack}` or pick an existing stack");
        }

        var config = new Dictionary<string, string?>(StringComparer.Ordinal);
        var projectName = ConfigKeys.ProjectNamespace;
        if (File.Exists(projectFile))
        {
            var project = ReadMapping(projectFile);
            if (project.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode { Value: { } n })
            {
                projectName = n;
            }

            foreach (var (key, value) in Entries(project, projectFile))
            {
                var full = Qualify(key, projectName);
                if (ProjectValue(value, full, projectFile) is { } v)
                {
                    config[full] = v;
                }
            }
        }

        foreach (var (key, value) in Entries(ReadMapping(stackFile), stackFile))
        {
            var full = Qualify(key, projectName);
            config[full] = value switch
            {
                YamlScalarNode scalar => scalar.Value,
                YamlMappingNode secure when secure.Children.ContainsKey(new YamlScalarNode("secure")) => SecretMarker,
                _ => throw new StackConfigException($"{stackFile}: {full} must be a plain value or a secret; structured values are not settings of this lab"),
            };
        }

        return config;
    }

    /// <summary>Applies <c>key=value</c> overrides; a key without a namespace gets the project's.</summary>
    public static void ApplyOverrides(Dictionary<string, string?> config, IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(overrides);
        foreach (var item in overrides)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new StackConfigException($"--set {item}: expected key=value, e.g. --set istio-lab:storeVariant=quickstart");
            }

            config[Qualify(item[..eq].Trim(), ConfigKeys.ProjectNamespace)] = item[(eq + 1)..];
        }
    }

    private static string Qualify(string key, string projectName) => key.Contains(':', StringComparison.Ordinal) ? key : $"{projectName}:{key}";

    private static YamlMappingNode ReadMapping(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new StackConfigException($"{file}: not valid YAML ({e.Message})");
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new StackConfigException($"{file}: expected one YAML mapping");
    }

    private static IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode root, string file)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("config"), out var node))
        {
            yield break;
        }

        if (node is not YamlMappingNode config)
        {
            throw new StackConfigException($"{file}: 'config' must be a mapping of keys to values");
        }

        foreach (var (key, value) in config.Children)
        {
            yield return (((YamlScalarNode)key).Value ?? "", value);
        }
    }

    /// <summary>A project-level entry is a plain value, or a declaration whose <c>value</c> or <c>default</c> applies.</summary>
    private static string? ProjectValue(YamlNode node, string key, string file)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        if (node is YamlMappingNode declaration)
        {
            foreach (var field in new[] { "value", "default" })
            {
                if (declaration.Children.TryGetValue(new YamlScalarNode(field), out var v))
                {
                    return v is YamlScalarNode s ? s.Value : throw new StackConfigException($"{file}: {key}.{field} must be a plain value");
                }
            }

            return null;
        }

        throw new StackConfigException($"{file}: {key} must be a value or a declaration");
    }
}

/// <summary>A stack or project file that cannot be read as this lab's config.</summary>
public sealed class StackConfigException : Exception
{
    public StackConfigException()
    {
    }

    public StackConfigException(string message)
        : base(message)
    {
    }

    public StackConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
