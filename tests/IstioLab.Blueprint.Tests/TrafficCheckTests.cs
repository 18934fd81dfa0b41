using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Traffic;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The traffic check's script, run under /bin/sh against a fake curl that answers each measurement with one line per
/// response (status, seconds, version header): within the band, outside it, all v1, all v2, a wrong status, timeouts.
/// </summary>
public sealed class TrafficCheckTests : IDisposable
{
    private const string Ip = "20.50.60.70";
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static LabSettings Settings(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static V1Job Job(LabSettings settings) =>
        TrafficCheck.Job(settings, Ip, Checks.WorkshopChecks.GatewayJob(settings, Ip));

    private static string Env(V1Job job, string name) => job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == name).Value;

    /// <summary>One measurement's output: each group's count of identical responses (status, seconds, version).</summary>
    private static string Responses(params (int Count, string Line)[] groups) =>
        string.Concat(groups.SelectMany(g => Enumerable.Repeat(g.Line + @"\n", g.Count)));

    /// <summary>A plan line: curl's exit code and its output.</summary>
    private static string Answer(params (int Count, string Line)[] groups) => "0|" + Responses(groups);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The curl invocations from the fake's log: the write-out format ends in a newline escape, which the fake's echo
    /// expands, so one invocation spans two log lines; each starts on the line with <c>--parallel</c>.
    /// </summary>
    private static List<string> Invocations(IReadOnlyList<string> log)
    {
        List<string> calls = [];
        foreach (var line in log)
        {
            if (line.Contains("--parallel", StringComparison.Ordinal) || calls.Count == 0)
            {
                calls.Add(line);
            }
            else
            {
                calls[^1] += "\n" + line;
            }
        }

        return calls;
    }

    private (int ExitCode, string Output, List<string> CurlCalls) Run(V1Job job, params string[] plan)
    {
        var (exit, output, log) = runner.Run(job, plan);
        return (exit, output, Invocations(log));
    }

    [Fact]
    public void TheCanaryPassesWhenTheV2ShareIsInsideTheBand()
    {
        var (exit, output, calls) = Run(Job(Settings(("istio-lab:canaryWeight", "20"))), Answer((160, "200 0.012 v1"), (40, "200 0.013 v2")));

        Assert.Equal(0, exit);
        Assert.Contains(Lines(output), l => l.StartsWith("PASS canary: 40 of 200 requests reached v2", StringComparison.Ordinal));
        Assert.Contains("SKIP abort: not configured", output, StringComparison.Ordinal);
        var call = Assert.Single(calls);
        Assert.Equal(200, call.Split(' ').Count(a => a == $"http://{Ip}/"));
        Assert.Contains("--no-progress-meter --parallel --parallel-max 25 --max-time 25", call, StringComparison.Ordinal);
        Assert.Contains("%header{x-store-version}", call, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, 0)]
    [InlineData(0, 200)]
    [InlineData(100, 100)]
    [InlineData(190, 10)]
    public void TheCanaryFailsOutsideTheBandIncludingAllV1AndAllV2(int v1, int v2)
    {
        var (exit, output, calls) = Run(Job(Settings(("istio-lab:canaryWeight", "20"))), Answer((v1, "200 0.012 v1"), (v2, "200 0.013 v2")));

        Assert.Equal(1, exit);
        Assert.Contains(Lines(output), l => l.StartsWith($"FAIL canary: after 4 attempts, {v2} of 200 requests reached v2", StringComparison.Ordinal));
        Assert.Equal(4, calls.Count);
    }

    [Theory]
    [InlineData("0", 200, 0)]
    [InlineData("100", 0, 200)]
    public void AtTheEndsOfTheCanaryOnlyAllV1OrAllV2Passes(string weight, int v1, int v2)
    {
        var job = Job(Settings(("istio-lab:canaryWeight", weight)));

        Assert.Equal(0, Run(job, Answer((v1, "200 0.01 v1"), (v2, "200 0.01 v2"))).ExitCode);
        Assert.Equal(1, Run(job, Answer((v1 == 0 ? 1 : v1 - 1, "200 0.01 v1"), (v2 == 0 ? 1 : v2 - 1, "200 0.01 v2"))).ExitCode);
    }

    [Fact]
    public void ResponsesWithoutAVersionOrNot200FailTheCanary()
    {
        var (exit, output, _) = Run(Job(Settings(("istio-lab:canaryWeight", "20"))), Answer((150, "200 0.01 v1"), (40, "200 0.01 v2"), (10, "503 0.01 ")));

        Assert.Equal(1, exit);
        Assert.Contains("10 neither answered 200 nor named a version", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ARouteThatIsNotThereYetIsMeasuredAgainBeforeFailing()
    {
        var (exit, output, calls) = Run(Job(Settings(("istio-lab:canaryWeight", "50"))), Answer((200, "200 0.01 ")), Answer((100, "200 0.01 v1"), (100, "200 0.01 v2")));

        Assert.Equal(0, exit);
        Assert.Equal(2, calls.Count);
        Assert.StartsWith("PASS canary: 100 of 200", Lines(output).Single(l => l.Contains("canary", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRequestWithTheAbHeaderMustReachV2()
    {
        var job = Job(Settings(("istio-lab:canaryWeight", "0"), ("istio-lab:abHeader", "x-store-variant=b")));
        Assert.Equal("canary ab", Env(job, "PROPERTIES"));

        var pass = Run(job, Answer((200, "200 0.01 v1")), Answer((50, "200 0.01 v2")));
        Assert.Equal(0, pass.ExitCode);
        Assert.Contains("PASS ab: 50 of 50 requests with 'x-store-variant: b' reached v2", pass.Output, StringComparison.Ordinal);
        Assert.Contains("-H x-store-variant: b", pass.CurlCalls[1], StringComparison.Ordinal);
        Assert.DoesNotContain("-H", pass.CurlCalls[0], StringComparison.Ordinal);

        var fail = Run(job, Answer((200, "200 0.01 v1")), Answer((49, "200 0.01 v2"), (1, "200 0.01 v1")));
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains("FAIL ab: after 4 attempts, 49 of 50", fail.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAbortStatusMustAppearAtTheConfiguredRate()
    {
        var job = Job(Settings(("istio-lab:faultAbortPercent", "25"), ("istio-lab:faultAbortStatus", "503")));
        Assert.Equal("abort", Env(job, "PROPERTIES"));

        var pass = Run(job, Answer((150, "200 0.02 "), (50, "503 0.01 ")));
        Assert.Equal(0, pass.ExitCode);
        Assert.Contains($"http://{Ip}/api/products", pass.CurlCalls[0], StringComparison.Ordinal);
        Assert.Contains("PASS abort: 50 of 200 product API requests answered 503", pass.Output, StringComparison.Ordinal);

        var wrongStatus = Run(job, Answer((150, "200 0.02 "), (50, "500 0.01 ")));
        Assert.Equal(1, wrongStatus.ExitCode);
        Assert.Contains("FAIL abort: after 4 attempts, 0 of 200 product API requests answered 503", wrongStatus.Output, StringComparison.Ordinal);

        Assert.Equal(1, Run(job, Answer((200, "200 0.02 "))).ExitCode);
    }

    [Fact]
    public void RequestsThatGetNoAnswerFailAFaultMeasurement()
    {
        var (exit, output, _) = Run(Job(Settings(("istio-lab:faultAbortPercent", "25"))), "28|" + Responses((150, "200 0.02 "), (45, "503 0.01 "), (5, "000 25.001 ")));

        Assert.Equal(1, exit);
        Assert.Contains("(5 got no answer)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DelayedResponsesMustTakeAtLeastTheDelayAtTheConfiguredRate()
    {
        var job = Job(Settings(("istio-lab:faultDelayPercent", "50"), ("istio-lab:faultDelay", "3s")));
        Assert.Equal("delay", Env(job, "PROPERTIES"));
        Assert.Equal("3.000", Env(job, "DELAY_SECONDS"));

        var pass = Run(job, Answer((100, "200 0.02 "), (100, "200 3.015 ")));
        Assert.Equal(0, pass.ExitCode);
        Assert.Contains("PASS delay: 100 of 200 product API requests took at least 3.000s", pass.Output, StringComparison.Ordinal);

        var tooFast = Run(job, Answer((100, "200 0.02 "), (100, "200 2.990 ")));
        Assert.Equal(1, tooFast.ExitCode);
        Assert.Contains("FAIL delay: after 4 attempts, 0 of 200", tooFast.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ATimeoutBelowTheDelayMustAnswer504WithinTheTimeout()
    {
        var job = Job(Settings(("istio-lab:timeout", "2s"), ("istio-lab:faultDelayPercent", "100"), ("istio-lab:faultDelay", "5s")));
        Assert.Equal("timeout", Env(job, "PROPERTIES"));
        Assert.Equal("4.000", Env(job, "TIMEOUT_LIMIT"));

        var pass = Run(job, Answer((200, "504 2.003 ")));
        Assert.Equal(0, pass.ExitCode);
        Assert.Contains("PASS timeout: 200 of 200 product API requests answered 504", pass.Output, StringComparison.Ordinal);

        var noTimeout = Run(job, Answer((200, "200 5.010 ")));
        Assert.Equal(1, noTimeout.ExitCode);

        var late = Run(job, Answer((199, "504 2.003 "), (1, "504 4.500 ")));
        Assert.Equal(1, late.ExitCode);
        Assert.Contains("the slowest 504 after 4.500s", late.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithATimeoutBelowTheDelayOnlyUndelayedRequestsCanBeAborted()
    {
        var settings = Settings(("istio-lab:timeout", "2s"), ("istio-lab:faultDelayPercent", "50"), ("istio-lab:faultAbortPercent", "50"));
        var abort = TrafficCheck.Measurements(settings).Single(m => m.Property == "abort");

        Assert.Equal(0.25, abort.Band.Probability);
        Assert.Equal("abort timeout", Env(Job(settings), "PROPERTIES"));
    }

    [Fact]
    public void ResilienceAloneRequiresEveryProductApiRequestToSucceed()
    {
        var job = Job(Settings(("istio-lab:timeout", "3s"), ("istio-lab:circuitBreaker", "true")));
        Assert.Equal("resilience", Env(job, "PROPERTIES"));

        Assert.Equal(0, Run(job, Answer((200, "200 0.02 "))).ExitCode);
        var tripped = Run(job, Answer((190, "200 0.02 "), (10, "503 0.001 ")));
        Assert.Equal(1, tripped.ExitCode);
        Assert.Contains("FAIL resilience: after 4 attempts, 190 of 200", tripped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCheckPrintsOneLinePerPropertyAndSaysWhatItSkipped()
    {
        var (exit, output, _) = Run(Job(Settings(("istio-lab:canaryWeight", "100"), ("istio-lab:faultAbortPercent", "0"))),
            Answer((200, "200 0.01 v2")), Answer((200, "200 0.01 ")));

        Assert.Equal(0, exit);
        Assert.Equal(
            ["PASS canary", "SKIP ab", "PASS abort", "SKIP delay", "SKIP timeout", "SKIP resilience"],
            Lines(output).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void TheStatisticalPropertiesShareTheFalseFailureBudget()
    {
        var settings = Settings(("istio-lab:canaryWeight", "20"), ("istio-lab:faultAbortPercent", "10"), ("istio-lab:faultDelayPercent", "20"));
        var measurements = TrafficCheck.Measurements(settings);

        Assert.Equal(["canary", "abort", "delay"], measurements.Select(m => m.Property));
        Assert.True(measurements.Sum(m => m.Band.FalseFailure) < 1e-4);
        Assert.All(measurements, m => Assert.Equal(200, m.Band.Trials));
        var job = Job(settings);
        Assert.Equal(measurements[0].Band.Low.ToString(System.Globalization.CultureInfo.InvariantCulture), Env(job, "CANARY_LOW"));
        Assert.Equal(measurements[2].Band.High.ToString(System.Globalization.CultureInfo.InvariantCulture), Env(job, "DELAY_HIGH"));
    }

    [Fact]
    public void TheJobIsBoundedByEveryMeasurementAtItsSlowest()
    {
        var settings = Settings(("istio-lab:canaryWeight", "20"), ("istio-lab:abHeader", "x-store-variant=b"), ("istio-lab:faultAbortPercent", "10"), ("istio-lab:faultDelayPercent", "20"));
        var job = Job(settings);

        // 4 properties x 3 attempts x (8 waves of 25 requests x 25 s + 10 s) + 60 s.
        Assert.Equal(4 * 3 * ((8 * 25) + 10) + 60, job.Spec.ActiveDeadlineSeconds);
        Assert.Equal(1, job.Spec.BackoffLimit);
        Assert.Equal("3", Env(job, "ATTEMPTS"));
        Assert.Equal("pets-outside-mesh", job.Metadata.NamespaceProperty);
        Assert.Equal("false", job.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
    }

    [Fact]
    public void WithHttpsTheCheckUsesTheStoresNameAndTrustsTheLabCa()
    {
        var job = Job(Settings(("istio-lab:canaryWeight", "20"), ("istio-lab:https", "self-signed"), ("istio-lab:dnsLabel", "my-store")));

        Assert.Equal("https://my-store.westeurope.cloudapp.azure.com/", Env(job, "TARGET_URL"));
        Assert.Equal("lab-ca", Env(job, "TLS_VERIFY"));
        Assert.Equal("/etc/istio-lab/ca/ca.crt", Env(job, "CA_FILE"));
        Assert.Single(job.Spec.Template.Spec.Volumes);

        var (exit, _, calls) = Run(job, Answer((160, "200 0.01 v1"), (40, "200 0.01 v2")));
        Assert.Equal(0, exit);
        Assert.Contains("--cacert /etc/istio-lab/ca/ca.crt -o /dev/null https://my-store.westeurope.cloudapp.azure.com/ -o", calls[0], StringComparison.Ordinal);
    }
}
