using System.Globalization;
using System.Text.RegularExpressions;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;
using YamlDotNet.RepresentationModel;
using static IstioLab.Blueprint.Tests.WorkflowYaml;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The rules of the two cleanup workflows: <c>expire</c> (hourly, destroys stacks whose expiry passed, never one
/// without) and <c>review</c> (a stack per labelled pull request, destroyed on close). Their scripts run under bash
/// against a fake pulumi.
/// </summary>
public partial class CleanupWorkflowTests
{
    private const string ForkGuard = "github.event.pull_request.head.repo.full_name == github.repository";

    public static TheoryData<string> CleanupWorkflows => new() { "expire", "review" };

    private static IEnumerable<string> Keys(YamlNode? node) => node is YamlMappingNode map ? map.Children.Keys.Select(k => k.ToString()) : [];

    private static IEnumerable<YamlMappingNode> Jobs(YamlMappingNode workflow) => ((YamlMappingNode)Get(workflow, "jobs")!).Children.Values.Cast<YamlMappingNode>();

    private static IEnumerable<YamlMappingNode> Steps(YamlNode job) => ((YamlSequenceNode)Get(job, "steps")!).Children.Cast<YamlMappingNode>();

    private static YamlMappingNode Step(YamlNode job, string name) => Assert.Single(Steps(job), s => Scalar(s, "name") == name);

    private static string Script(YamlNode job, string name) => Scalar(Step(job, name), "run")!;

    private static string Condition(YamlMappingNode workflow, string job) => Regex.Replace(Scalar(workflow, "jobs", job, "if")!, @"\s+", " ");

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@v[0-9]+$")]
    private static partial Regex MajorVersionPin();

    [GeneratedRegex(@"\$\{\{\s*secrets\.")]
    private static partial Regex SecretExpression();

    [GeneratedRegex(@"^\s*pulumi config set (istio-lab:[A-Za-z]+) ([a-z0-9-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex LiteralConfigSet();

    [Theory]
    [MemberData(nameof(CleanupWorkflows))]
    public void ACleanupWorkflowGrantsOnlyWhatItNeeds(string name)
    {
        var granted = ((YamlMappingNode)Get(Load(name), "permissions")!).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString());

        Assert.Equal("read", granted["contents"]);
        string[] writes = name == "review" ? ["id-token", "pull-requests"] : ["id-token"];
        Assert.Equal(writes, granted.Where(g => g.Value == "write").Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.All(Jobs(Load(name)), job => Assert.Null(Get(job, "permissions")));
    }

    [Theory]
    [MemberData(nameof(CleanupWorkflows))]
    public void ACleanupWorkflowPinsActionsLogsInWithOpenIdConnectAndKeepsSecretsOutOfScripts(string name)
    {
        foreach (var job in Jobs(Load(name)))
        {
            var uses = Steps(job).Select(s => Scalar(s, "uses")).OfType<string>().ToList();
            Assert.All(uses, u => Assert.Matches(MajorVersionPin(), u));
            var login = Assert.Single(Steps(job), s => Scalar(s, "uses")?.StartsWith("azure/login@", StringComparison.Ordinal) == true);
            Assert.Equal(["client-id", "subscription-id", "tenant-id"], Keys(Get(login, "with")).Order(StringComparer.Ordinal));
            Assert.Equal("true", Scalar(job, "env", "ARM_USE_OIDC"));
            Assert.StartsWith("${{ secrets.", Scalar(job, "env", "PULUMI_ACCESS_TOKEN"), StringComparison.Ordinal);
            Assert.StartsWith("${{ secrets.", Scalar(job, "env", "PULUMI_CONFIG_PASSPHRASE"), StringComparison.Ordinal);
            Assert.Contains("PULUMI_BACKEND_URL", Keys(Get(job, "env")));
            Assert.All(Steps(job).Select(s => Scalar(s, "run")).OfType<string>(), script =>
            {
                Assert.DoesNotContain("${{", script, StringComparison.Ordinal);
                Assert.DoesNotMatch(SecretExpression(), script);
                Assert.DoesNotContain("--show-secrets", script, StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public void ExpireRunsHourlyAndByHandWhereItDefaultsToADryRun()
    {
        var workflow = Load("expire");

        Assert.Equal(["schedule", "workflow_dispatch"], Keys(Get(workflow, "on")).Order(StringComparer.Ordinal));
        var cron = Scalar(((YamlSequenceNode)Get(workflow, "on", "schedule")!).Children[0], "cron");
        Assert.Matches(@"^[0-5]?[0-9] \* \* \* \*$", cron);
        Assert.Equal("boolean", Scalar(workflow, "on", "workflow_dispatch", "inputs", "dry-run", "type"));
        Assert.Equal("true", Scalar(workflow, "on", "workflow_dispatch", "inputs", "dry-run", "default"));
        var destroy = Condition(workflow, "destroy");
        Assert.Contains("needs.find.outputs.expired != '[]'", destroy, StringComparison.Ordinal);
        Assert.Contains("(github.event_name == 'schedule' || !inputs.dry-run)", destroy, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpireDestroysEachStackInThatStacksConcurrencyGroupWithoutCancelling()
    {
        var workflow = Load("expire");

        Assert.Equal("${{ fromJSON(needs.find.outputs.expired) }}", Scalar(workflow, "jobs", "destroy", "strategy", "matrix", "stack"));
        Assert.Equal("pulumi-${{ matrix.stack }}", Scalar(workflow, "jobs", "destroy", "concurrency", "group"));
        Assert.Equal("false", Scalar(workflow, "jobs", "destroy", "concurrency", "cancel-in-progress"));
        Assert.Equal("${{ vars.EXPIRING_STACKS }}", Scalar(Step(Get(workflow, "jobs", "find")!, "Find the stacks whose expiry has passed"), "env", "EXPIRING_STACKS"));
    }

    [Fact]
    public void ExpireFindsOnlyStacksWhoseExpiryPassedAndLeavesTheOthersAlone()
    {
        var script = Script(Get(Load("expire"), "jobs", "find")!, "Find the stacks whose expiry has passed");
        using var runner = new WorkflowStepRunner();

        var (exitCode, output, outputs, calls) = runner.Run(
            script,
            ["dev=2020-01-01T00:00:00Z", "staging=2999-01-01T00:00:00Z", "prod=", "off=never: istio-lab:expiresAt is not set", "odd=yesterday", "pr-7=2020-06-01T12:00Z", "pr-8=", "feature-x=2020-01-01T00:00:00Z"],
            new Dictionary<string, string> { ["EXPIRING_STACKS"] = "dev staging\nprod, off odd missing" });

        Assert.True(exitCode == 0, output);
        Assert.Equal("""["dev","pr-7"]""", outputs["expired"]);
        Assert.Contains("prod: (none): no expiry: left alone", output, StringComparison.Ordinal);
        Assert.Contains("missing: (none): no expiry: left alone", output, StringComparison.Ordinal);
        Assert.Contains("off: (none): no expiry: left alone", output, StringComparison.Ordinal);
        Assert.DoesNotContain(calls, c => c.StartsWith("pulumi config", StringComparison.Ordinal));
        Assert.Contains("odd: yesterday: unreadable expiry: left alone", output, StringComparison.Ordinal);
        Assert.Contains("staging: 2999-01-01T00:00:00Z: not yet", output, StringComparison.Ordinal);
        Assert.DoesNotContain("feature-x", output, StringComparison.Ordinal);
        Assert.Contains("| dev | 2020-01-01T00:00:00Z | expired: destroy |", File.ReadAllText(runner.Summary), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpireFindsNothingToDestroyWhenNoStackHasExpired()
    {
        var script = Script(Get(Load("expire"), "jobs", "find")!, "Find the stacks whose expiry has passed");
        using var runner = new WorkflowStepRunner();

        var (exitCode, output, outputs, _) = runner.Run(script, ["dev="], new Dictionary<string, string> { ["EXPIRING_STACKS"] = "dev" });

        Assert.True(exitCode == 0, output);
        Assert.Equal("[]", outputs["expired"]);
    }

    [Theory]
    [InlineData("dev=2020-01-01T00:00:00Z", true)]
    [InlineData("dev=2999-01-01T00:00:00Z", false)]
    [InlineData("dev=", false)]
    [InlineData("dev=yesterday", false)]
    [InlineData("dev=never: istio-lab:expiresAt is not set", false)]
    public void ExpireReadsTheExpiryAgainJustBeforeItDestroys(string stack, bool destroyed)
    {
        var script = Script(Get(Load("expire"), "jobs", "destroy")!, "Destroy the stack if its expiry has still passed");
        using var runner = new WorkflowStepRunner();

        var (exitCode, output, _, calls) = runner.Run(script, [stack], new Dictionary<string, string> { ["STACK"] = "dev" });

        Assert.True(exitCode == 0, output);
        Assert.Equal(destroyed, calls.Contains("pulumi destroy --yes --non-interactive --stack dev"));
    }

    [Fact]
    public void ReviewRunsOnPullRequestEventsOnlyNeverOnPullRequestTarget()
    {
        var workflow = Load("review");

        Assert.Equal(["pull_request"], Keys(Get(workflow, "on")));
        var types = ((YamlSequenceNode)Get(workflow, "on", "pull_request", "types")!).Children.Select(c => c.ToString()).ToList();
        Assert.Equal(["closed", "labeled", "reopened", "synchronize", "unlabeled"], types.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReviewSkipsForksInEveryJob()
    {
        var workflow = Load("review");

        Assert.Equal(["deploy", "destroy"], Keys(Get(workflow, "jobs")).Order(StringComparer.Ordinal));
        Assert.All(Keys(Get(workflow, "jobs")), job => Assert.StartsWith(ForkGuard + " &&", Condition(workflow, job), StringComparison.Ordinal));
    }

    [Fact]
    public void ReviewDeploysOnlyWhileTheDeployReviewLabelIsOnAndNeverOnClose()
    {
        var deploy = Condition(Load("review"), "deploy");

        Assert.Contains("github.event.action != 'closed'", deploy, StringComparison.Ordinal);
        Assert.Contains("github.event.action != 'unlabeled'", deploy, StringComparison.Ordinal);
        Assert.Contains("contains(github.event.pull_request.labels.*.name, 'deploy-review')", deploy, StringComparison.Ordinal);
        Assert.Contains("(github.event.action != 'labeled' || github.event.label.name == 'deploy-review')", deploy, StringComparison.Ordinal);
    }

    [Fact]
    public void ReviewDestroysOnCloseAndWhenTheLabelIsRemoved()
    {
        var workflow = Load("review");
        var destroy = Condition(workflow, "destroy");
        var script = Script(Get(workflow, "jobs", "destroy")!, "Destroy the review stack");

        Assert.Contains("(github.event.action == 'closed' || (github.event.action == 'unlabeled' && github.event.label.name == 'deploy-review'))", destroy, StringComparison.Ordinal);
        Assert.Contains("pulumi destroy --yes --non-interactive --stack \"${STACK}\"", script, StringComparison.Ordinal);
        Assert.Contains("pulumi stack rm --yes --non-interactive \"${STACK}\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public void ReviewDestroyOfAStackThatWasNeverDeployedDoesNothing()
    {
        var script = Script(Get(Load("review"), "jobs", "destroy")!, "Destroy the review stack");
        using var runner = new WorkflowStepRunner();

        var (exitCode, output, _, calls) = runner.Run(script, [], new Dictionary<string, string> { ["STACK"] = "pr-9", ["PR_NUMBER"] = "9", ["GITHUB_REPOSITORY"] = "o/r" });

        Assert.True(exitCode == 0, output);
        Assert.Contains("nothing to destroy", output, StringComparison.Ordinal);
        Assert.DoesNotContain(calls, c => c.StartsWith("pulumi destroy", StringComparison.Ordinal));
    }

    [Fact]
    public void EachPullRequestHasItsOwnStackAndItsRunsQueueInThatStacksGroup()
    {
        var workflow = Load("review");

        Assert.Equal("pulumi-pr-${{ github.event.pull_request.number }}", Scalar(workflow, "concurrency", "group"));
        Assert.Equal("false", Scalar(workflow, "concurrency", "cancel-in-progress"));
        Assert.All(Jobs(workflow), job => Assert.Equal("pr-${{ github.event.pull_request.number }}", Scalar(job, "env", "STACK")));
    }

    [Fact]
    public void TheReviewStacksSettingsAreTheCheapestThatStillRunEveryCheck()
    {
        var script = Script(Get(Load("review"), "jobs", "deploy")!, "Configure the review stack");
        var config = LiteralConfigSet().Matches(script).ToDictionary(m => m.Groups[1].Value, m => (string?)m.Groups[2].Value);
        config["istio-lab:expiresAt"] = "2999-01-01T00:00:00Z";

        var settings = LabSettings.Parse(config);

        Assert.Equal(1, settings.NodeCount);
        Assert.Equal(StoreVariant.Quickstart, settings.StoreVariant);
        // Every check of the whole lab: all but the "before" checks of workshop step 2, which cannot run beside them.
        Assert.Equal(
            WorkshopChecks.All.Except(WorkshopChecks.StepTwo).Select(c => c.Name).Order(StringComparer.Ordinal),
            WorkshopChecks.For(settings).Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.True(settings.UserAuth.Enabled, "without user identity the identity check does not run");
        Assert.Equal(HttpsMode.SelfSigned, settings.Https.Mode);
    }

    [Fact]
    public void TheReviewStackGetsItsExpiryOnceAndRenewsItOnlyWhenLessThanAnHourIsLeft()
    {
        var script = Script(Get(Load("review"), "jobs", "deploy")!, "Configure the review stack");
        var environment = new Dictionary<string, string> { ["STACK"] = "pr-5", ["PR_NUMBER"] = "5", ["PR_AUTHOR"] = "octo", ["REVIEW_TTL_HOURS"] = "8" };
        using var runner = new WorkflowStepRunner();
        string Later(TimeSpan t) => (DateTimeOffset.UtcNow + t).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var first = runner.Run(script, [], environment);
        var keptExpiry = Later(TimeSpan.FromHours(5));
        var kept = runner.Run(script, [$"pr-5={keptExpiry}"], environment);
        var renewed = runner.Run(script, [$"pr-5={Later(TimeSpan.FromMinutes(30))}"], environment);

        Assert.True(first.ExitCode == 0, first.Output);
        var set = Assert.Single(first.Calls, c => c.StartsWith("pulumi config set istio-lab:expiresAt ", StringComparison.Ordinal));
        var expiry = DateTimeOffset.Parse(set.Split(' ')[^1], CultureInfo.InvariantCulture);
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromHours(8) - TimeSpan.FromMinutes(5), TimeSpan.FromHours(8));
        Assert.Contains("pulumi config set istio-lab:ttl 8h", first.Calls);
        Assert.Equal([$"pulumi config set istio-lab:expiresAt {keptExpiry}"], kept.Calls.Where(c => c.StartsWith("pulumi config set istio-lab:expiresAt", StringComparison.Ordinal)));
        var renewedSet = Assert.Single(renewed.Calls, c => c.StartsWith("pulumi config set istio-lab:expiresAt", StringComparison.Ordinal));
        Assert.InRange(DateTimeOffset.Parse(renewedSet.Split(' ')[^1], CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow, TimeSpan.FromHours(7), TimeSpan.FromHours(8));
    }

    [Fact]
    public void AFailedDeploymentFailsTheCheckAndTheCommentStillSaysSo()
    {
        var deploy = Get(Load("review"), "jobs", "deploy")!;
        var steps = Steps(deploy).ToList();
        var up = steps.FindIndex(s => Scalar(s, "id") == "up");
        var comment = steps.FindIndex(s => Scalar(s, "name") == "Comment the store URL and the checks on the pull request");

        Assert.True(up >= 0 && comment > up, "the comment must follow the deployment");
        Assert.Null(Scalar(steps[up], "continue-on-error"));
        Assert.Contains("set -euo pipefail", Scalar(steps[up], "run"), StringComparison.Ordinal);
        Assert.Contains("pulumi up --yes", Scalar(steps[up], "run"), StringComparison.Ordinal);
        Assert.Equal("always()", Scalar(steps[comment], "if"));
        Assert.Equal("${{ steps.up.outcome }}", Scalar(steps[comment], "env", "OUTCOME"));
        Assert.Contains("FAILED", Scalar(steps[comment], "run"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "POST")]
    [InlineData("4242", "PATCH")]
    public void TheReviewCommentIsEditedInPlaceOnceItExists(string existing, string method)
    {
        var script = Script(Get(Load("review"), "jobs", "deploy")!, "Comment the store URL and the checks on the pull request");
        using var runner = new WorkflowStepRunner();
        var environment = new Dictionary<string, string>
        {
            ["STACK"] = "pr-5",
            ["PR_NUMBER"] = "5",
            ["OUTCOME"] = "failure",
            ["GITHUB_REPOSITORY"] = "o/r",
            ["GITHUB_SHA"] = "abc",
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_RUN_ID"] = "1",
            ["FAKE_GH_COMMENT"] = existing,
        };

        var (exitCode, output, _, calls) = runner.Run(script.Replace("gh api \"repos/", "gh_list \"repos/", StringComparison.Ordinal)
            .Insert(0, "gh_list() { gh \"$@\" > /dev/null; echo \"${FAKE_GH_COMMENT}\"; }\n"), [], environment);

        Assert.True(exitCode == 0, output);
        var write = Assert.Single(calls, c => c.StartsWith("gh api --method", StringComparison.Ordinal));
        Assert.StartsWith($"gh api --method {method} ", write, StringComparison.Ordinal);
        Assert.Equal(method == "PATCH", write.Contains("issues/comments/4242", StringComparison.Ordinal));
    }
}
