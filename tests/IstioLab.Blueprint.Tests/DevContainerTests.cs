using System.Text.Json;

namespace IstioLab.Blueprint.Tests;

/// <summary>The dev container gives a newcomer every tool the README's commands need, at pinned versions.</summary>
public class DevContainerTests
{
    private static JsonElement DevContainer()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(".devcontainer", "devcontainer.json")));
        return document.RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> Features() =>
        DevContainer().GetProperty("features").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

    [Theory]
    [InlineData("ghcr.io/devcontainers/features/dotnet")]
    [InlineData("ghcr.io/devcontainers-extra/features/pulumi")]
    [InlineData("ghcr.io/devcontainers/features/azure-cli")]
    [InlineData("ghcr.io/devcontainers/features/kubectl-helm-minikube")]
    public void TheDevContainerInstallsEachToolAsAFeaturePinnedToAMajorVersionWithAnExactToolVersion(string feature)
    {
        var (reference, options) = Assert.Single(Features(), f => f.Key.StartsWith(feature + ":", StringComparison.Ordinal));

        Assert.Matches(@":[0-9]+$", reference);
        var version = options.GetProperty("version").GetString();
        Assert.Matches(@"^[0-9]+\.[0-9]+(\.[0-9]+)?$", version);
    }

    [Fact]
    public void TheDevContainersDotnetIsTheSdkGlobalJsonNames()
    {
        using var global = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("global.json")));
        var sdk = global.RootElement.GetProperty("sdk").GetProperty("version").GetString();

        var dotnet = Features().Single(f => f.Key.StartsWith("ghcr.io/devcontainers/features/dotnet:", StringComparison.Ordinal)).Value;
        Assert.Equal(sdk, dotnet.GetProperty("version").GetString());
        Assert.StartsWith("10.", sdk, StringComparison.Ordinal);
    }

    [Fact]
    public void KubectlComesWithoutMinikubeOrHelmWhichTheLabDoesNotUse()
    {
        var kubectl = Features().Single(f => f.Key.StartsWith("ghcr.io/devcontainers/features/kubectl-helm-minikube:", StringComparison.Ordinal)).Value;

        Assert.Equal("none", kubectl.GetProperty("minikube").GetString());
        Assert.Equal("none", kubectl.GetProperty("helm").GetString());
    }

    [Fact]
    public void CreatingTheContainerRestoresTheSolution()
    {
        Assert.Equal("dotnet restore IstioLab.sln", DevContainer().GetProperty("postCreateCommand").GetString());
    }
}
