using IstioLab.Blueprint.Mesh;

namespace IstioLab.Blueprint.Tests;

public class MeshRevisionTests
{
    [Fact]
    public void TheClustersOnlyRevisionIsTheLabel()
    {
        Assert.Equal("asm-1-27", MeshRevision.Select(["asm-1-27"], null));
    }

    [Fact]
    public void DuringACanaryTheConfiguredRevisionWins()
    {
        Assert.Equal("asm-1-29", MeshRevision.Select(["asm-1-29", "asm-1-30"], "asm-1-29"));
        Assert.Equal("asm-1-30", MeshRevision.Select(["asm-1-29", "asm-1-30"], "asm-1-30"));
    }

    [Fact]
    public void DuringACanaryWithNoConfiguredRevisionTheNewestWins()
    {
        Assert.Equal("asm-1-30", MeshRevision.Select(["asm-1-30", "asm-1-9"], null));
    }

    [Fact]
    public void AConfiguredRevisionTheClusterDoesNotRunIsAnError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MeshRevision.Select(["asm-1-30"], "asm-1-27"));

        Assert.Contains("asm-1-27", error.Message, StringComparison.Ordinal);
        Assert.Contains("asm-1-30", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AClusterWithoutRevisionsIsAnError()
    {
        Assert.Throws<InvalidOperationException>(() => MeshRevision.Select([], null));
        Assert.Throws<InvalidOperationException>(() => MeshRevision.Select(null, null));
    }
}
