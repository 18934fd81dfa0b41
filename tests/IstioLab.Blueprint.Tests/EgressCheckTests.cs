using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The egress check against fake curl answers. Each attempt calls the unlisted host over HTTP (stdout: the status), then
/// over HTTPS (no stdout), then, once both are blocked, the listed host (stdout: status and TLS handshake time); a
/// property that holds is not called again. What the sidecar gives: the HTTP call a 502 of its own, the HTTPS call a
/// handshake cut (curl exit 35 or 56).
/// </summary>
public sealed class EgressCheckTests : IDisposable
{
    private const string Blocked502 = "0|502";
    private const string Cut35 = "35|";
    private const string Cut56 = "56|";
    private const string ListedAnswers = "0|404 0.052310";

    /// <summary>The environment variables that carry the URLs the check calls.</summary>
    private static readonly string[] UrlVariables = ["TARGET_URL", "TARGET_TLS_URL", "LISTED_URL"];

    /// <summary>One attempt's answers while egress is open: HTTP 200, and a TLS handshake that completes.</summary>
    private static readonly string[] EverythingGetsOut = ["0|200", "0|"];

    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static LabSettings Settings(string hosts = "api.example.com", string authorization = "open", string variant = "all-in-one") =>
        EgressSettingsTests.Settings(hosts, variant: variant, authorization: authorization);

    private static V1Job Job(string hosts = "api.example.com") =>
        WorkshopChecks.Build(Settings(hosts), "asm-1-30", "20.1.2.3").OfType<V1Job>().Single(j => j.Metadata.Labels["app"] == "check-egress");

    private static string Env(V1Job job, string name) => job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == name).Value;

    private (int Exit, string[] Lines, IReadOnlyList<string> Calls) Run(V1Job job, params string[] plan)
    {
        var (exit, output, calls) = runner.Run(job, plan);
        return (exit, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), calls);
    }

    private static string[] Verdicts(string[] lines) => [.. lines.Select(l => l.Split(':')[0])];

    [Fact]
    public void BlockedBothWaysAndTheListedHostAnsweringPassesAllThree()
    {
        var (exit, lines, calls) = Run(Job(), Blocked502, Cut35, ListedAnswers);

        Assert.Equal(0, exit);
        Assert.Equal(["PASS egress", "PASS egress", "PASS egress"], Verdicts(lines));
        Assert.Contains("http://example.com/ (not listed) answered HTTP 502 from the sidecar", lines[0], StringComparison.Ordinal);
        Assert.Contains("https://example.com/ (not listed) was cut during the TLS handshake (curl exit 35)", lines[1], StringComparison.Ordinal);
        Assert.Contains("https://api.example.com/ (listed) is reachable", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, calls.Count(c => !c.Contains("quitquitquit", StringComparison.Ordinal)));
        Assert.Contains(calls, c => c.Contains("-X POST http://localhost:15020/quitquitquit", StringComparison.Ordinal));
    }

    [Fact]
    public void AHandshakeCutWithExit56CountsAsBlocked()
    {
        var (exit, lines, _) = Run(Job(), Blocked502, Cut56, ListedAnswers);

        Assert.Equal(0, exit);
        Assert.Contains("(curl exit 56)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TheListedHostIsTriedOnlyOnceTheUnlistedOneIsBlocked()
    {
        // First attempt: the Sidecar has not reached the proxy; everything gets out. Second: blocked.
        var (exit, lines, calls) = Run(Job(), "0|200", "0|", Blocked502, Cut35, ListedAnswers);

        Assert.Equal(0, exit);
        Assert.Equal(["PASS egress", "PASS egress", "PASS egress"], Verdicts(lines));
        var curls = calls.Where(c => !c.Contains("quitquitquit", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, curls.Count);
        Assert.Equal(["http://example.com/", "https://example.com/", "http://example.com/", "https://example.com/", "https://api.example.com/"], curls.Select(c => c.Split(' ')[^1]));
    }

    [Fact]
    public void APropertyThatHoldsIsNotCalledAgain()
    {
        // HTTP is blocked at once; HTTPS only on the third attempt.
        var (exit, _, calls) = Run(Job(), Blocked502, "0|", "0|", Cut35, ListedAnswers);

        Assert.Equal(0, exit);
        Assert.Equal(1, calls.Count(c => c.EndsWith(" http://example.com/", StringComparison.Ordinal)));
        Assert.Equal(3, calls.Count(c => c.EndsWith(" https://example.com/", StringComparison.Ordinal)));
    }

    [Fact]
    public void WithEgressStillOpenAllThreeFailAndTheListedHostIsNotTried()
    {
        // Four attempts, two calls each: everything gets out.
        var (exit, lines, calls) = Run(Job(), [.. Enumerable.Range(0, 4).SelectMany(_ => EverythingGetsOut)]);

        Assert.Equal(1, exit);
        Assert.Equal(["FAIL egress", "FAIL egress", "FAIL egress"], Verdicts(lines));
        Assert.Contains("after 4 attempts, http://example.com/ (not listed) gave curl exit 0, HTTP '200', not the sidecar's 502; the call left the mesh", lines[0], StringComparison.Ordinal);
        Assert.Contains("gave curl exit 0; a server completed the TLS handshake: the call left the mesh", lines[1], StringComparison.Ordinal);
        Assert.Contains("was not tried", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain(calls, c => c.Contains("api.example.com", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0|503", "0", "HTTP '503'")]
    [InlineData("0|404", "0", "HTTP '404'")]
    [InlineData("6|000", "6", "DNS could not resolve")]
    [InlineData("28|000", "28", "timed out")]
    [InlineData("56|000", "56", "the connection was cut, not answered")]
    [InlineData("7|000", "7", "no answer from the sidecar")]
    public void OnlyTheSidecars502ProvesPlainHttpBlocked(string answer, string exitCode, string said)
    {
        // After the first attempt only the HTTP call is repeated; the last planned answer repeats.
        var (exit, lines, _) = Run(Job(), answer, Cut35, answer);

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL egress: after 4 attempts, http://example.com/ (not listed) gave curl exit " + exitCode, lines[0], StringComparison.Ordinal);
        Assert.Contains(said, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("PASS egress: https://example.com/", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0|", "a server completed the TLS handshake")]
    [InlineData("60|", "a server completed the TLS handshake")]
    [InlineData("6|", "DNS could not resolve")]
    [InlineData("28|", "timed out")]
    [InlineData("7|", "curl exit one of: 35 56")]
    [InlineData("52|", "curl exit one of: 35 56")]
    public void OnlyAHandshakeCutProvesHttpsBlocked(string answer, string said)
    {
        var (exit, lines, _) = Run(Job(), Blocked502, answer);

        Assert.Equal(1, exit);
        Assert.StartsWith("PASS egress: http://example.com/", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("FAIL egress: after 4 attempts, https://example.com/ (not listed) gave curl exit " + answer.TrimEnd('|'), lines[1], StringComparison.Ordinal);
        Assert.Contains(said, lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0|200 0.041000", true)]
    [InlineData("0|503 0.041000", true)]
    [InlineData("56|000 0.031200", true)]
    [InlineData("52|000 1.200000", true)]
    [InlineData("35|000 0.000000", false)]
    [InlineData("56|000 0.000000", false)]
    [InlineData("28|000 0.000000", false)]
    [InlineData("6|000 0.000000", false)]
    public void OverTlsTheListedHostCountsAsReachedOnAnyHttpAnswerOrACompletedHandshake(string answer, bool reached)
    {
        var (exit, lines, _) = Run(Job(), Blocked502, Cut35, answer);

        Assert.Equal(reached ? 0 : 1, exit);
        Assert.StartsWith((reached ? "PASS" : "FAIL") + " egress", lines[2], StringComparison.Ordinal);
        Assert.Contains("https://api.example.com/ (listed)", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0|200 0.000000", true)]
    [InlineData("0|404 0.000000", true)]
    [InlineData("0|502 0.000000", false)]
    [InlineData("52|000 0.000000", false)]
    public void OverPlainHttpTheListedHostCountsAsReachedOnAnyAnswerButTheSidecarsOwn502(string answer, bool reached)
    {
        var (exit, lines, _) = Run(Job("httpbin.org:80"), Blocked502, Cut35, answer);

        Assert.Equal(reached ? 0 : 1, exit);
        Assert.StartsWith((reached ? "PASS" : "FAIL") + " egress: ", lines[2], StringComparison.Ordinal);
        Assert.Contains("http://httpbin.org/ (listed)", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.blob.core.windows.net")]
    [InlineData("")]
    public void WithOnlyWildcardsOrNoHostsListedTheCheckProvesTheBlockAlone(string hosts)
    {
        var job = Job(hosts);
        Assert.Equal("", Env(job, "LISTED_URL"));

        var (exit, lines, calls) = Run(job, Blocked502, Cut35);
        Assert.Equal(0, exit);
        Assert.Equal(["PASS egress", "PASS egress"], Verdicts(lines));
        Assert.Equal(2, calls.Count(c => !c.Contains("quitquitquit", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheListedHostIsTheFirstThatNamesOneHost()
    {
        Assert.Equal("https://api.example.com:8443/", Env(Job("*.blob.core.windows.net,api.example.com:8443,httpbin.org:80"), "LISTED_URL"));
        Assert.Equal("http://httpbin.org/", Env(Job("httpbin.org:80,api.example.com"), "LISTED_URL"));
    }

    [Fact]
    public void TheCheckCallsExampleComOverHttpAndHttps()
    {
        var job = Job();

        Assert.Equal("http://example.com/", Env(job, "TARGET_URL"));
        Assert.Equal("https://example.com/", Env(job, "TARGET_TLS_URL"));
        Assert.Equal("502", Env(job, "BLOCKED_STATUS"));
        Assert.Equal("35 56", Env(job, "CUT_EXIT_CODES"));
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheCheckRunsInTheStoresNamespaceInTheMeshAsItsOwnIdentityAfterTheInsideCheck(string variant)
    {
        var jobs = WorkshopChecks.Build(Settings(variant: variant), "asm-1-30", "20.1.2.3").OfType<V1Job>().ToList();
        var inside = jobs.Single(j => j.Metadata.Labels["app"] == "check-inside");
        var job = jobs.Single(j => j.Metadata.Labels["app"] == "check-egress");

        Assert.Equal("pets", job.Metadata.NamespaceProperty);
        Assert.False(job.Spec.Template.Metadata.Labels.ContainsKey("sidecar.istio.io/inject"));
        Assert.Equal("""{"holdApplicationUntilProxyStarts":true}""", job.Spec.Template.Metadata.Annotations["proxy.istio.io/config"]);
        Assert.Equal("check-egress", job.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal($"batch/namespaces/pets/Job/{inside.Metadata.Name}", job.Metadata.Annotations["config.kubernetes.io/depends-on"]);
        Assert.True(jobs.IndexOf(inside) < jobs.IndexOf(job));
        Assert.Matches("^check-egress-[0-9a-f]{10}$", job.Metadata.Name);
    }

    [Fact]
    public void TheCheckIsBoundedAndItsOwnMessageEndsAFailureBeforeTheDeadline()
    {
        var job = Job();

        Assert.Equal(1, job.Spec.BackoffLimit);
        Assert.Equal(300, job.Spec.ActiveDeadlineSeconds);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(false, job.Spec.Template.Spec.AutomountServiceAccountToken);
        var attempts = int.Parse(Env(job, "ATTEMPTS"), System.Globalization.CultureInfo.InvariantCulture);
        var interval = int.Parse(Env(job, "INTERVAL_SECONDS"), System.Globalization.CultureInfo.InvariantCulture);
        var timeout = int.Parse(Env(job, "TIMEOUT_SECONDS"), System.Globalization.CultureInfo.InvariantCulture);
        // Up to three calls an attempt, and the proxy's quit at the end.
        Assert.True(attempts * (interval + 3 * timeout) + timeout < job.Spec.ActiveDeadlineSeconds, $"{attempts} attempts of up to {interval + 3 * timeout} s outlast the deadline");
    }

    [Theory]
    [InlineData("open", "open", new[] { "outside", "inside", "gateway", "metrics", "kiali" })]
    [InlineData("allow-list", "open", new[] { "outside", "inside", "gateway", "egress", "metrics", "kiali" })]
    [InlineData("allow-list", "allow-list", new[] { "outside", "inside", "gateway", "denied", "egress", "metrics", "kiali" })]
    public void TheCheckRunsOnlyWithTheEgressAllowListAndItsJobsFollowTheCheckOrder(string egress, string authorization, string[] checks)
    {
        var settings = EgressSettingsTests.Settings(egress == "open" ? "" : "api.example.com", mode: egress, authorization: authorization);

        Assert.Equal(checks, WorkshopChecks.For(settings).Select(c => c.Name));
        Assert.Equal(checks.Select(c => $"check-{c}"), WorkshopChecks.Build(settings, "asm-1-30", "20.1.2.3").OfType<V1Job>().Select(j => j.Metadata.Labels["app"]));
        Assert.Equal(egress == "allow-list", WorkshopChecks.ServiceAccounts(settings).Any(sa => sa.Metadata.Name == "check-egress"));
    }

    [Fact]
    public void WithChecksOffThereIsNoEgressCheck()
    {
        var settings = EgressSettingsTests.Settings("api.example.com", checks: "false");

        Assert.DoesNotContain(LabManifest.Build(settings, "asm-1-30", "p", "1.2.3.4"), o => o.Metadata.Name.StartsWith("check-egress", StringComparison.Ordinal));
    }

    [Fact]
    public void UnderTheAuthorizationAllowListTheCheckIsGrantedNothingAndNeedsNothing()
    {
        var settings = Settings(authorization: "allow-list");

        var caller = Assert.Single(AuthorizationManifest.Callers(settings), c => c.Name == "egress check");
        Assert.Equal(new CallerIdentity.ServiceAccount("pets", "check-egress"), caller.Identity);
        Assert.Empty(caller.Calls);
        Assert.DoesNotContain(AuthorizationManifest.AllowedCalls(settings), a => a.Caller.Name == "egress check");
        // Every URL it calls is outside the cluster, where no AuthorizationPolicy of the store applies.
        var job = Job();
        Assert.All(UrlVariables, name => Assert.DoesNotContain(".svc.cluster.local", Env(job, name), StringComparison.Ordinal));
    }

    [Fact]
    public void TurningTheLockdownOnRerunsTheInsideCheckUnderIt()
    {
        static string Inside(LabSettings settings) => WorkshopChecks.InsideJob(settings, "asm-1-30").Metadata.Name;

        Assert.NotEqual(Inside(LabSettings.Defaults), Inside(Settings()));
        Assert.NotEqual(Inside(Settings()), Inside(Settings("api.example.com,httpbin.org:80")));
        Assert.Equal(Inside(LabSettings.Defaults), Inside(LabSettings.Defaults with { Egress = EgressMode.Open }));
    }

    [Fact]
    public void AChangeToTheListRerunsTheCheckAndNoChangeDoesNot()
    {
        static string Name(string hosts) => Job(hosts).Metadata.Name;

        Assert.Equal(Name("api.example.com"), Name("api.example.com"));
        Assert.NotEqual(Name("api.example.com"), Name("api.example.com,httpbin.org:80"));
        Assert.NotEqual(Name("api.example.com"), Name("api.example.org"));
    }
}
