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
    public void AConfiguredRevisionWinsWhileAPreviewStillShowsTheOldOne()
    {
        Assert.Equal("asm-1-30", MeshRevision.Select(["asm-1-29"], "asm-1-30"));
        Assert.Equal("asm-1-30", MeshRevision.Select(null, "asm-1-30"));
    }

    [Fact]
    public void AClusterWithoutRevisionsIsAnError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MeshRevision.Select([], null));
        Assert.Throws<InvalidOperationException>(() => MeshRevision.Select(null, null));
        Assert.Contains("serviceMeshProfile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARevisionThatIsNotAnAddOnRevisionSortsBeforeEveryAddOnRevision()
    {
        Assert.Equal(-1, MeshRevision.MinorOf("canary"));
        Assert.Equal(-1, MeshRevision.MinorOf("asm-1-x"));
        Assert.Equal(30, MeshRevision.MinorOf("asm-1-30"));
        Assert.Equal("asm-1-0", MeshRevision.Select(["default", "asm-1-0"], null));
    }

    [Fact]
    public void BlankRevisionsAreIgnored()
    {
        Assert.Equal("asm-1-27", MeshRevision.Select(["", " ", "asm-1-27"], null));
        Assert.Throws<InvalidOperationException>(() => MeshRevision.Select(["", " "], null));
    }
}
