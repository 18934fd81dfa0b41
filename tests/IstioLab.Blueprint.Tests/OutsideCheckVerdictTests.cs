using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The outside check's verdict, run under /bin/sh against a fake curl: only the reset a STRICT sidecar gives a
/// plaintext client proves mTLS. A refusal (no ready endpoints) and any HTTP answer fail, each saying which it was.
/// </summary>
public sealed class OutsideCheckVerdictTests : IDisposable
{
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private (int ExitCode, string Line) Run(params string[] plan)
    {
        var (exit, output, _) = runner.Run(WorkshopChecks.OutsideJob(LabSettings.Defaults, "asm-1-27"), plan);
        return (exit, Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void ARefusedConnectionFailsBecauseItMeansNoReadyEndpointsNotMutualTls()
    {
        var (exit, line) = Run("7|000");

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL outside:", line, StringComparison.Ordinal);
        Assert.Contains("curl exit 7", line, StringComparison.Ordinal);
        Assert.Contains("no ready endpoints", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("56|000", "curl exit 56")]
    [InlineData("52|000", "curl exit 52")]
    public void OnlyTheSidecarsResetOfAPlaintextClientPasses(string reset, string reported)
    {
        var (exit, line) = Run(reset);

        Assert.Equal(0, exit);
        Assert.StartsWith("PASS outside:", line, StringComparison.Ordinal);
        Assert.Contains(reported, line, StringComparison.Ordinal);
    }

    [Fact]
    public void AnHttpAnswerToAPlaintextClientFailsAsMutualTlsNotEnforced()
    {
        var (exit, line) = Run("0|200");

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL outside:", line, StringComparison.Ordinal);
        Assert.Contains("HTTP '200'", line, StringComparison.Ordinal);
        Assert.Contains("not enforced", line, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusalsWhileTheStoreStartsAreRetriedUntilTheSidecarResets()
    {
        var (exit, line) = Run("7|000", "7|000", "7|000", "56|000");

        Assert.Equal(0, exit);
        Assert.StartsWith("PASS outside:", line, StringComparison.Ordinal);
    }
}
