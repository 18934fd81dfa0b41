using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using static IstioLab.Blueprint.Tests.WorkflowYaml;

namespace IstioLab.Blueprint.Tests;

/// <summary>The rules the GitHub workflows must keep, checked on the files themselves.</summary>
public partial class WorkflowTests
{
    private static readonly string[] PulumiWorkflows = ["preview", "deploy", "destroy", "drift"];
    private static readonly string[] PermissionLevels = ["read", "write", "none"];

    public static TheoryData<string> AllWorkflows => new() { "ci", "preview", "deploy", "destroy", "drift" };

    public static TheoryData<string> StackWorkflows => new() { "preview", "deploy", "destroy", "drift" };

    private static string Text(string name) => File.ReadAllText(RepositoryFiles.PathOf(".github", "workflows", name + ".yml"));

    private static IEnumerable<string> Triggers(YamlMappingNode workflow) => Get(workflow, "on") switch
    {
        YamlMappingNode map => map.Children.Keys.Select(k => k.ToString()),
        YamlScalarNode scalar => [scalar.Value!],
        YamlSequenceNode list => list.Children.Select(c => c.ToString()),
        _ => [],
    };

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode workflow) =>
        ((YamlMappingNode)Get(workflow, "jobs")!).Children.Values
            .SelectMany(job => ((YamlSequenceNode)Get(job, "steps")!).Children.Cast<YamlMappingNode>());

    private static YamlMappingNode PulumiStep(YamlMappingNode workflow) =>
        Assert.Single(Steps(workflow), s => Scalar(s, "uses")?.StartsWith("pulumi/actions@", StringComparison.Ordinal) == true);

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@v[0-9]+$")]
    private static partial Regex MajorVersionPin();

    [GeneratedRegex(@"\$\{\{\s*secrets\.")]
    private static partial Regex SecretExpression();

    [Fact]
    public void TheEightWorkflowsExist()
    {
        var names = Directory.GetFiles(RepositoryFiles.PathOf(".github", "workflows"), "*.yml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(["ci", "deploy", "destroy", "drift", "expire", "mutation", "preview", "review"], names);
    }

    [Theory]
    [MemberData(nameof(AllWorkflows))]
    public void EveryWorkflowGrantsOnlyThePermissionsItNeeds(string name)
    {
        var permissions = Assert.IsType<YamlMappingNode>(Get(Load(name), "permissions"));
        var granted = permissions.Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString());

        Assert.Equal("read", granted["contents"]);
        var expectedWrites = name switch
        {
            "ci" => Array.Empty<string>(),
            "preview" => ["id-token", "pull-requests"],
            _ => ["id-token"],
        };
        Assert.Equal(expectedWrites, granted.Where(g => g.Value == "write").Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.All(granted.Values, v => Assert.Contains(v, PermissionLevels));
        var jobs = (YamlMappingNode)Get(Load(name), "jobs")!;
        Assert.All(jobs.Children.Values, job => Assert.Null(Get(job, "permissions")));
    }

    [Theory]
    [MemberData(nameof(AllWorkflows))]
    public void EveryActionIsPinnedToAMajorVersion(string name)
    {
        var uses = Steps(Load(name)).Select(s => Scalar(s, "uses")).OfType<string>().ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.Matches(MajorVersionPin(), u));
    }

    [Theory]
    [MemberData(nameof(AllWorkflows))]
    public void DotnetTenIsSetUpBeforeAnythingBuildsOrRunsPulumi(string name)
    {
        var steps = Steps(Load(name)).ToList();
        var setup = steps.FindIndex(s => Scalar(s, "uses")?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true);

        Assert.True(setup >= 0, "actions/setup-dotnet is missing");
        Assert.Equal("10.0.x", Scalar(steps[setup], "with", "dotnet-version"));
        var firstUse = steps.FindIndex(s => Scalar(s, "uses")?.StartsWith("pulumi/actions@", StringComparison.Ordinal) == true
            || Scalar(s, "run")?.Contains("dotnet", StringComparison.Ordinal) == true);
        Assert.True(setup < firstUse);
    }

    [Fact]
    public void CiChecksFormatBuildsAndTestsTheWholeSolution()
    {
        var workflow = Load("ci");
        var runs = string.Join("\n", Steps(workflow).Select(s => Scalar(s, "run")).OfType<string>());

        Assert.Equal(["pull_request", "push"], Triggers(workflow).Order(StringComparer.Ordinal));
        Assert.Contains("dotnet format IstioLab.sln --verify-no-changes", runs, StringComparison.Ordinal);
        Assert.Contains("dotnet build IstioLab.sln", runs, StringComparison.Ordinal);
        Assert.Contains("dotnet test IstioLab.sln", runs, StringComparison.Ordinal);
    }

    [Fact]
    public void PreviewCommentsOnPullRequestsAndEditsItsEarlierComment()
    {
        var workflow = Load("preview");
        var pulumi = PulumiStep(workflow);

        Assert.Equal(["pull_request"], Triggers(workflow));
        Assert.Equal("preview", Scalar(pulumi, "with", "command"));
        Assert.Equal("true", Scalar(pulumi, "with", "comment-on-pr"));
        Assert.Equal("true", Scalar(pulumi, "with", "edit-pr-comment"));
        Assert.Equal("${{ vars.PULUMI_STACK }}", Scalar(pulumi, "with", "stack-name"));
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("destroy")]
    [InlineData("drift")]
    public void OnlyThePullRequestPreviewComments(string name)
    {
        Assert.Null(Scalar(PulumiStep(Load(name)), "with", "comment-on-pr"));
        Assert.DoesNotContain("pull_request", Triggers(Load(name)));
    }

    [Fact]
    public void DeployRunsUpOnPushToMainBehindAnEnvironment()
    {
        var workflow = Load("deploy");

        Assert.Equal(["push"], Triggers(workflow));
        Assert.Equal(["main"], ((YamlSequenceNode)Get(workflow, "on", "push", "branches")!).Children.Select(c => c.ToString()));
        Assert.Equal("up", Scalar(PulumiStep(workflow), "with", "command"));
        Assert.Equal("${{ vars.PULUMI_STACK }}", Scalar(workflow, "jobs", "deploy", "environment"));
    }

    [Fact]
    public void TheDeploySummaryListsOutputsButNeverTheKubeconfig()
    {
        var summary = Assert.Single(Steps(Load("deploy")), s => Scalar(s, "run")?.Contains("GITHUB_STEP_SUMMARY", StringComparison.Ordinal) == true);
        var script = Scalar(summary, "run")!;

        Assert.Contains("storeUrl", script, StringComparison.Ordinal);
        Assert.DoesNotContain("kubeconfig", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("--show-secrets", script, StringComparison.Ordinal);
    }

    [Fact]
    public void DestroyIsManualOnlyAndAsksForTheStackNameAgain()
    {
        var workflow = Load("destroy");
        var steps = Steps(workflow).ToList();

        Assert.Equal(["workflow_dispatch"], Triggers(workflow));
        Assert.Equal("true", Scalar(workflow, "on", "workflow_dispatch", "inputs", "confirm", "required"));
        var confirm = steps.FindIndex(s => Scalar(s, "run")?.Contains("\"${CONFIRM}\" != \"${STACK}\"", StringComparison.Ordinal) == true);
        var destroy = steps.FindIndex(s => Scalar(s, "with", "command") == "destroy");
        Assert.True(confirm >= 0 && confirm < destroy, "the confirmation must come before the destroy");
    }

    [Fact]
    public void DriftRunsNightlyAndFailsOnAnyChange()
    {
        var workflow = Load("drift");
        var pulumi = PulumiStep(workflow);

        Assert.Contains("schedule", Triggers(workflow));
        Assert.DoesNotContain("push", Triggers(workflow));
        Assert.Matches(@"^\d+ \d+ \* \* \*$", Scalar(((YamlSequenceNode)Get(workflow, "on", "schedule")!).Children[0], "cron"));
        Assert.Equal("preview", Scalar(pulumi, "with", "command"));
        Assert.Equal("true", Scalar(pulumi, "with", "refresh"));
        Assert.Equal("true", Scalar(pulumi, "with", "expect-no-changes"));
    }

    /// <summary>The concurrency group of the operations that change a stack.</summary>
    private const string ChangeGroup = "pulumi-${{ vars.PULUMI_STACK }}";

    [Theory]
    [InlineData("deploy")]
    [InlineData("destroy")]
    public void DeployAndDestroyShareTheStacksOneChangeGroupAndNeverCancel(string name)
    {
        var workflow = Load(name);

        Assert.Equal(ChangeGroup, Scalar(workflow, "concurrency", "group"));
        Assert.Equal("false", Scalar(workflow, "concurrency", "cancel-in-progress"));
    }

    [Theory]
    [InlineData("preview")]
    [InlineData("drift")]
    [InlineData("ci")]
    public void NoPreviewOrDriftCheckCanCancelOrReplaceAQueuedDeployOrDestroy(string name)
    {
        // GitHub keeps one running and one pending run per group and cancels an earlier pending one: a workflow
        // in the change group could push a queued deploy or destroy out of it.
        var group = Scalar(Load(name), "concurrency", "group");

        Assert.NotNull(group);
        Assert.NotEqual(ChangeGroup, group);
    }

    [Fact]
    public void EachPullRequestsPreviewHasItsOwnGroupSoANewerPushCancelsOnlyItsOlderPreview()
    {
        var workflow = Load("preview");

        Assert.Equal("pulumi-preview-${{ vars.PULUMI_STACK }}-${{ github.event.pull_request.number }}", Scalar(workflow, "concurrency", "group"));
        Assert.Equal("true", Scalar(workflow, "concurrency", "cancel-in-progress"));
    }

    [Fact]
    public void DriftChecksQueueInAGroupOfTheirOwn()
    {
        var workflow = Load("drift");

        Assert.Equal("pulumi-drift-${{ vars.PULUMI_STACK }}", Scalar(workflow, "concurrency", "group"));
        Assert.Equal("false", Scalar(workflow, "concurrency", "cancel-in-progress"));
    }

    [Theory]
    [InlineData("preview")]
    [InlineData("drift")]
    public void PreviewsAndDriftChecksSignInWithTheirOwnReadOnlyIdentity(string name)
    {
        var workflow = Load(name);
        var login = Assert.Single(Steps(workflow), s => Scalar(s, "uses")?.StartsWith("azure/login@", StringComparison.Ordinal) == true);

        Assert.Equal("${{ vars.AZURE_PREVIEW_CLIENT_ID }}", Scalar(login, "with", "client-id"));
        Assert.Equal("${{ vars.AZURE_PREVIEW_CLIENT_ID }}", Scalar(workflow, "jobs", name, "env", "ARM_CLIENT_ID"));
        Assert.Equal("${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}", Scalar(workflow, "jobs", name, "env", "PULUMI_ACCESS_TOKEN"));
        Assert.DoesNotContain("vars.AZURE_CLIENT_ID", Text(name), StringComparison.Ordinal);
        Assert.DoesNotContain("secrets.PULUMI_ACCESS_TOKEN", Text(name), StringComparison.Ordinal);
        Assert.Null(Get(workflow, "jobs", name, "environment"));
    }

    /// <summary>Every workflow file in the repository, so a new one cannot slip past the identity rule.</summary>
    public static TheoryData<string> EveryWorkflowFile => new(Directory.GetFiles(RepositoryFiles.PathOf(".github", "workflows"), "*.yml")
        .Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal));

    /// <summary>The environments a job using the deploy identity may run in: the stack's own, or for a review stack `review`.</summary>
    private static readonly string[] DeployEnvironments =
        ["${{ vars.PULUMI_STACK }}", "review", "${{ startsWith(matrix.stack, 'pr-') && 'review' || matrix.stack }}"];

    [Theory]
    [MemberData(nameof(EveryWorkflowFile))]
    public void TheDeployIdentityIsUsedOnlyInsideAnEnvironmentAndOnAPullRequestOnlyInTheReviewEnvironment(string name)
    {
        var workflow = Load(name);
        var jobs = (YamlMappingNode)Get(workflow, "jobs")!;
        var onPullRequests = Triggers(workflow).Any(t => t is "pull_request" or "pull_request_target");

        foreach (var (key, job) in jobs.Children)
        {
            var text = new YamlStream(new YamlDocument(job));
            var writer = new StringWriter();
            text.Save(writer, assignAnchors: false);
            if (writer.ToString().Contains("vars.AZURE_CLIENT_ID", StringComparison.Ordinal))
            {
                var environment = Scalar(job, "environment");
                Assert.True(environment is not null && DeployEnvironments.Contains(environment), $"job {key} of {name} uses the deploy identity outside an environment ('{environment}')");
                if (onPullRequests)
                {
                    // Pull-request code with the deploy identity: only behind the review environment's approval.
                    Assert.Equal("review", environment);
                    Assert.DoesNotContain("pull_request_target", Triggers(workflow));
                }

                Assert.True(key.ToString() is "deploy" or "destroy", $"job {key} of {name} uses the deploy identity");
            }
        }
    }

    [Fact]
    public void OnlyTheStacksOwnDeployAndDestroyUseTheStacksEnvironment()
    {
        Assert.Equal("${{ vars.PULUMI_STACK }}", Scalar(Load("deploy"), "jobs", "deploy", "environment"));
        Assert.Equal("${{ vars.PULUMI_STACK }}", Scalar(Load("destroy"), "jobs", "destroy", "environment"));
        Assert.DoesNotContain("pull_request", Triggers(Load("deploy")));
        Assert.DoesNotContain("pull_request", Triggers(Load("destroy")));
    }

    [Fact]
    public void TheWorkflowsDocGivesTheIdentitiesExactRolesAndSubjects()
    {
        var doc = File.ReadAllText(RepositoryFiles.PathOf("docs", "workflows.md"));

        // Built-in role ids as Azure publishes them (Azure docs articles/role-based-access-control/built-in-roles/*.md).
        Assert.Contains("acdd72a7-3385-48ef-bd42-f606fba81ae7", doc, StringComparison.Ordinal); // Reader
        Assert.Contains("4abbcc35-e782-43d8-92c5-2d3f1bd2253f", doc, StringComparison.Ordinal); // Azure Kubernetes Service Cluster User Role
        Assert.Contains("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", doc, StringComparison.Ordinal); // Storage Blob Data Reader
        Assert.Contains("ba92f5b4-2d11-453d-a403-e96b0029c9fe", doc, StringComparison.Ordinal); // Storage Blob Data Contributor
        Assert.Contains("Azure Kubernetes Service Cluster User Role", doc, StringComparison.Ordinal);
        Assert.Contains("repo:<owner>/<repo>:environment:<stack>", doc, StringComparison.Ordinal);
        Assert.Contains("repo:<owner>/<repo>:pull_request", doc, StringComparison.Ordinal);
        Assert.Contains("repo:<owner>/<repo>:ref:refs/heads/main", doc, StringComparison.Ordinal);
        Assert.Contains("AZURE_PREVIEW_CLIENT_ID", doc, StringComparison.Ordinal);
        Assert.Contains("PULUMI_PREVIEW_ACCESS_TOKEN", doc, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StackWorkflows))]
    public void AzureLoginUsesOpenIdConnectWithoutAClientSecret(string name)
    {
        var workflow = Load(name);
        var login = Assert.Single(Steps(workflow), s => Scalar(s, "uses")?.StartsWith("azure/login@", StringComparison.Ordinal) == true);
        var with = ((YamlMappingNode)Get(login, "with")!).Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal);

        Assert.Equal(["client-id", "subscription-id", "tenant-id"], with);
        Assert.DoesNotContain("client-secret", Text(name), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("creds:", Text(name), StringComparison.Ordinal);
        Assert.Equal("true", Scalar(workflow, "jobs", name, "env", "ARM_USE_OIDC"));
    }

    [Theory]
    [MemberData(nameof(StackWorkflows))]
    public void BothStateBackendsAreConfigurable(string name)
    {
        var env = (YamlMappingNode)Get(Load(name), "jobs", name, "env")!;
        var keys = env.Children.Keys.Select(k => k.ToString()).ToList();

        Assert.Contains("PULUMI_ACCESS_TOKEN", keys);
        Assert.Contains("PULUMI_BACKEND_URL", keys);
        Assert.Contains("PULUMI_CONFIG_PASSPHRASE", keys);
        Assert.StartsWith("${{ secrets.", Scalar(env, "PULUMI_ACCESS_TOKEN"), StringComparison.Ordinal);
        Assert.StartsWith("${{ secrets.", Scalar(env, "PULUMI_CONFIG_PASSPHRASE"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllWorkflows))]
    public void NoStepPrintsASecret(string name)
    {
        var scripts = Steps(Load(name)).Select(s => Scalar(s, "run")).OfType<string>().ToList();

        Assert.All(scripts, script =>
        {
            Assert.DoesNotMatch(SecretExpression(), script);
            Assert.DoesNotContain("--show-secrets", script, StringComparison.Ordinal);
            Assert.DoesNotContain("PASSPHRASE", script, StringComparison.Ordinal);
            Assert.DoesNotContain("ACCESS_TOKEN", script, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(AllWorkflows))]
    public void ScriptsTakeUntrustedValuesOnlyThroughTheEnvironment(string name)
    {
        var scripts = Steps(Load(name)).Select(s => Scalar(s, "run")).OfType<string>();

        Assert.All(scripts, script => Assert.DoesNotContain("${{", script, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryStackWorkflowTakesTheStackFromTheRepositoryVariable()
    {
        Assert.All(PulumiWorkflows, name => Assert.Contains("vars.PULUMI_STACK", Text(name), StringComparison.Ordinal));
    }
}
