using IstioLab.Blueprint.Settings;
using YamlDotNet.RepresentationModel;

namespace IstioLab.Blueprint.Tests;

/// <summary>Finds files of this repository from the test's output folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IstioLab.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IstioLab.sln not found above " + AppContext.BaseDirectory);
    }
}

public class ProjectFileTests
{
    private static YamlMappingNode ProjectConfig =>
        (YamlMappingNode)RepositoryFiles.LoadYaml(RepositoryFiles.PathOf("Pulumi.yaml")).Children[new YamlScalarNode("config")];

    [Fact]
    public void PulumiYamlRunsTheProgramInInfraIstioLab()
    {
        var project = RepositoryFiles.LoadYaml(RepositoryFiles.PathOf("Pulumi.yaml"));

        Assert.Equal("istio-lab", project.Children[new YamlScalarNode("name")].ToString());
        Assert.Equal("dotnet", project.Children[new YamlScalarNode("runtime")].ToString());
        Assert.Equal("infra/IstioLab/", project.Children[new YamlScalarNode("main")].ToString());
        Assert.Equal(ConfigKeys.ProjectNamespace, project.Children[new YamlScalarNode("name")].ToString());
    }

    [Fact]
    public void PulumiYamlDeclaresEveryLabKeyWithTheBlueprintsTypeDefaultAndDescription()
    {
        var config = ProjectConfig;

        foreach (var key in ConfigKeys.All.Where(k => k.Namespace == ConfigKeys.ProjectNamespace && !k.Secret))
        {
            Assert.True(config.Children.TryGetValue(new YamlScalarNode(key.Name), out var node), $"Pulumi.yaml does not declare {key.Name}");
            var declaration = Assert.IsType<YamlMappingNode>(node);
            Assert.Equal(key.Type, declaration.Children[new YamlScalarNode("type")].ToString());
            Assert.Equal(key.Default, declaration.Children[new YamlScalarNode("default")].ToString());
            Assert.Equal(key.Description, declaration.Children[new YamlScalarNode("description")].ToString());
        }
    }

    [Fact]
    public void PulumiYamlLeavesTheSecretPasswordUndeclaredSoUnsetMeansGenerated()
    {
        Assert.False(ProjectConfig.Children.ContainsKey(new YamlScalarNode(ConfigKeys.RabbitMqPassword.Name)));
        Assert.True(ConfigKeys.RabbitMqPassword.Secret);
    }

    [Fact]
    public void PulumiYamlDeclaresNoKeyTheBlueprintDoesNotKnow()
    {
        var known = ConfigKeys.All.Select(k => k.Namespace == ConfigKeys.ProjectNamespace ? k.Name : k.FullName).ToHashSet();

        Assert.All(ProjectConfig.Children.Keys, k => Assert.Contains(k.ToString(), known));
    }

    [Fact]
    public void PulumiYamlSetsTheDefaultLocation()
    {
        Assert.Equal(ConfigKeys.Location.Default, ProjectConfig.Children[new YamlScalarNode(ConfigKeys.Location.FullName)].ToString());
    }

    [Fact]
    public void TheDevStackIsARealStackFileThatValidates()
    {
        var stack = RepositoryFiles.LoadYaml(RepositoryFiles.PathOf("Pulumi.dev.yaml"));
        var config = Assert.IsType<YamlMappingNode>(stack.Children[new YamlScalarNode("config")]);

        Assert.All(config.Children.Keys, k => Assert.Contains(":", k.ToString(), StringComparison.Ordinal));
        var settings = LabSettings.Parse(config.Children.ToDictionary(p => p.Key.ToString(), p => (string?)p.Value.ToString()));
        Assert.Equal("pets", settings.AppNamespace);
    }
}
