using YamlDotNet.RepresentationModel;

namespace IstioLab.Blueprint.Tests;

/// <summary>Reads the repository's GitHub workflows as YAML trees, for the workflow rule tests.</summary>
internal static class WorkflowYaml
{
    public static YamlMappingNode Load(string name) => RepositoryFiles.LoadYaml(RepositoryFiles.PathOf(".github", "workflows", name + ".yml"));

    /// <summary>The node at <paramref name="path"/> (mapping keys), or null where any key is missing.</summary>
    public static YamlNode? Get(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    public static string? Scalar(YamlNode node, params string[] path) => (Get(node, path) as YamlScalarNode)?.Value;
}
