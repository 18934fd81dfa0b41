using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using static IstioLab.Blueprint.Tests.WorkflowYaml;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Mutation testing is a habit, not a CI gate: Stryker.NET pinned as a local tool, one command (<c>.ci/mutation</c>)
/// per target, and a manual and weekly workflow that uploads the HTML report. Checked on the files themselves.
/// </summary>
public partial class MutationTestingTests
{
    private static readonly string[] Targets = ["blueprint", "pulumi", "rules", "options"];

    private static YamlMappingNode Workflow() => Load("mutation");

    private static List<YamlMappingNode> Steps() =>
        [.. ((YamlMappingNode)Get(Workflow(), "jobs")!).Children.Values.SelectMany(job => ((YamlSequenceNode)Get(job, "steps")!).Children.Cast<YamlMappingNode>())];

    private static JsonElement StrykerConfig(string testProject) =>
        JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("tests", testProject, "stryker-config.json"))).RootElement.GetProperty("stryker-config");

    /// <summary>What a repository command prints when asked only to list (it must succeed; its errors are the message if not).</summary>
    private static string Listed(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryFiles.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@v[0-9]+$")]
    private static partial Regex MajorVersionPin();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+$")]
    private static partial Regex ExactVersion();

    [Fact]
    public void StrykerIsALocalToolPinnedToAnExactVersion()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf(".config", "dotnet-tools.json")));

        var stryker = manifest.RootElement.GetProperty("tools").GetProperty("dotnet-stryker");
        Assert.Matches(ExactVersion(), stryker.GetProperty("version").GetString());
        Assert.Equal(["dotnet-stryker"], stryker.GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
    }

    [Theory]
    [InlineData("IstioLab.Blueprint.Tests", "IstioLab.Blueprint.csproj")]
    [InlineData("IstioLab.Tests", "IstioLab.csproj")]
    public void EachTestProjectMutatesItsOwnProjectAndWritesAnHtmlReport(string testProject, string project)
    {
        var config = StrykerConfig(testProject);

        Assert.Equal(project, config.GetProperty("project").GetString());
        Assert.Equal([testProject + ".csproj"], config.GetProperty("test-projects").EnumerateArray().Select(p => p.GetString()));
        var reporters = config.GetProperty("reporters").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("html", reporters);
        Assert.Contains("json", reporters);
        Assert.Equal(0, config.GetProperty("thresholds").GetProperty("break").GetInt32());
    }

    [Fact]
    public void TheCommandRunsThePinnedToolForEachTargetAndNamesItsReport()
    {
        var script = File.ReadAllText(RepositoryFiles.PathOf(".ci", "mutation"));

        Assert.StartsWith("#!/usr/bin/env bash", script, StringComparison.Ordinal);
        Assert.Contains("dotnet tool restore", script, StringComparison.Ordinal);
        Assert.DoesNotContain("tool install", script, StringComparison.Ordinal);
        Assert.Contains("blueprint) tests=tests/IstioLab.Blueprint.Tests", script, StringComparison.Ordinal);
        Assert.Contains("pulumi|rules|options) tests=tests/IstioLab.Tests", script, StringComparison.Ordinal);
        Assert.Contains("dotnet stryker --config-file stryker-config.json --output \"$out\"", script, StringComparison.Ordinal);
        Assert.Contains("out=\"$root/.ci/out/mutation/$target\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public void MutationTestingIsNotPartOfTheDefaultCiRun()
    {
        Assert.DoesNotContain("mutation", File.ReadAllText(RepositoryFiles.PathOf(".ci", "run")), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("stryker", File.ReadAllText(RepositoryFiles.PathOf(".github", "workflows", "ci.yml")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TheWorkflowRunsOnlyByHandAndWeekly()
    {
        var on = Assert.IsType<YamlMappingNode>(Get(Workflow(), "on"));

        Assert.Equal(["schedule", "workflow_dispatch"], on.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        var cron = Assert.Single(((YamlSequenceNode)Get(on, "schedule")!).Children.Select(s => Scalar(s, "cron")));
        var fields = cron!.Split(' ');
        Assert.Equal(5, fields.Length);
        Assert.Matches("^[0-9]+$", fields[0]);
        Assert.Matches("^[0-9]+$", fields[1]);
        Assert.Equal(["*", "*"], fields[2..4]);
        Assert.Matches("^[0-6]$", fields[4]);
    }

    [Fact]
    public void TheWorkflowOnlyReadsTheRepository()
    {
        var permissions = Assert.IsType<YamlMappingNode>(Get(Workflow(), "permissions"));

        Assert.Equal([("contents", "read")], permissions.Children.Select(p => (p.Key.ToString(), p.Value.ToString())));
        var jobs = (YamlMappingNode)Get(Workflow(), "jobs")!;
        Assert.All(jobs.Children.Values, job => Assert.Null(Get(job, "permissions")));
        Assert.DoesNotContain("secrets.", File.ReadAllText(RepositoryFiles.PathOf(".github", "workflows", "mutation.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheWorkflowRunsTheCommandForEveryTargetAndUploadsEachHtmlReport()
    {
        var job = Assert.Single(((YamlMappingNode)Get(Workflow(), "jobs")!).Children.Values);
        var targets = ((YamlSequenceNode)Get(job, "strategy", "matrix", "target")!).Children.Select(t => t.ToString());
        Assert.Equal(Targets, targets);
        Assert.NotNull(Scalar(job, "timeout-minutes"));

        var steps = Steps();
        Assert.All(steps.Select(s => Scalar(s, "uses")).OfType<string>(), u => Assert.Matches(MajorVersionPin(), u));
        var run = steps.FindIndex(s => Scalar(s, "run")?.StartsWith(".ci/mutation \"${{ matrix.target }}\"", StringComparison.Ordinal) == true);
        var upload = steps.FindIndex(s => Scalar(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Assert.True(run >= 0, "the workflow must run the documented command, .ci/mutation");
        Assert.True(upload > run, "the report is uploaded after the run");
        Assert.Equal("always()", Scalar(steps[upload], "if"));
        Assert.Equal(".ci/out/mutation/${{ matrix.target }}/reports/", Scalar(steps[upload], "with", "path"));
        Assert.Contains("${{ matrix.target }}", Scalar(steps[upload], "with", "name"), StringComparison.Ordinal);
        var setup = steps.FindIndex(s => Scalar(s, "uses")?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true);
        Assert.InRange(setup, 0, run - 1);
        Assert.Equal("10.0.x", Scalar(steps[setup], "with", "dotnet-version"));
    }

    [Fact]
    public void TheRulesTargetMutatesEveryLineThatOrdersOrBindsAResourceAndNothingElse()
    {
        var output = Listed("bash", RepositoryFiles.PathOf(".ci", "mutation"), "rules", "--list");

        var program = RepositoryFiles.PathOf("infra", "IstioLab");
        var chosen = new HashSet<(string File, int Line)>();
        foreach (var span in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Regex.Match(span, @"^\*\*/(?<file>.+\.cs)\{(?<first>[0-9]+)\.\.(?<last>[0-9]+)\}$");
            Assert.True(match.Success, span);
            var text = File.ReadAllText(Path.Combine(program, match.Groups["file"].Value));
            var first = int.Parse(match.Groups["first"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var last = int.Parse(match.Groups["last"].Value, System.Globalization.CultureInfo.InvariantCulture);
            // A span is one whole line: it starts a line and ends where the line ends.
            Assert.True(first == 0 || text[first - 1] == '\n', span);
            Assert.True(last + 1 == text.Length || text[last + 1] == '\n', span);
            chosen.Add((match.Groups["file"].Value, text[..first].Count(c => c == '\n')));
        }

        var lines = Directory.EnumerateFiles(program, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Select((text, line) => (File: Path.GetRelativePath(program, f).Replace('\\', '/'), Line: line, Text: text)))
            .ToList();
        var rules = lines.Where(l => l.Text.Contains("DependsOn", StringComparison.Ordinal) || Regex.IsMatch(l.Text, @"\bProvider\s*=")).ToList();
        Assert.True(rules.Count > 40, $"{rules.Count} lines name DependsOn or a Provider");
        Assert.All(rules, l => Assert.Contains((l.File, l.Line), chosen));
        // The explicit provider's construction is a rule too, and so is the if/foreach that decides what a DependsOn.Add adds; nothing else is mutated.
        var providerStart = lines.FindIndex(l => l.Text.Contains("new Pulumi.Kubernetes.Provider(", StringComparison.Ordinal));
        var providerEnd = lines.FindIndex(providerStart, l => l.Text.TrimStart().StartsWith("}, new CustomResourceOptions", StringComparison.Ordinal));
        var provider = lines[providerStart..(providerEnd + 1)].Select(l => (l.File, l.Line)).ToHashSet();
        Assert.Contains(provider, p => lines.Single(l => (l.File, l.Line) == p).Text.Contains("EnableServerSideApply = true", StringComparison.Ordinal));
        Assert.Contains(provider, p => lines.Single(l => (l.File, l.Line) == p).Text.Contains("DeleteUnreachable = true", StringComparison.Ordinal));
        Assert.Subset(chosen, provider);
        var decisions = lines.Where(l => Regex.IsMatch(l.Text, @"^\s*(if|foreach)\b")).Select(l => (l.File, l.Line)).ToHashSet();
        Assert.All(chosen.Except(rules.Select(r => (r.File, r.Line))).Except(provider), c => Assert.Contains(c, decisions));
    }

    [Fact]
    public void TheOptionsMutantsDropEveryProviderAndParentTheProgramGivesOneAtATime()
    {
        var output = Listed("python3", RepositoryFiles.PathOf(".ci", "mutate-options"), "--list");

        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Regex.Match(line, @"^(?<id>[0-9]+) (?<file>\S+):(?<line>[0-9]+) (?<text>.+)$")).ToList();
        Assert.All(listed, m => Assert.True(m.Success));
        Assert.Equal(Enumerable.Range(1, listed.Count), listed.Select(m => int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(listed, m => Assert.Contains(
            m.Groups["text"].Value,
            File.ReadAllLines(RepositoryFiles.PathOf(m.Groups["file"].Value.Split('/')))[int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) - 1],
            StringComparison.Ordinal));

        var program = RepositoryFiles.PathOf("infra", "IstioLab");
        var sources = Directory.EnumerateFiles(program, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(program, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(File.ReadAllText).ToList();
        Assert.Equal(sources.Sum(t => Regex.Count(t, @"\bProvider = args\.Provider\b")), listed.Count(m => m.Groups["text"].Value == "Provider = args.Provider"));
        Assert.Equal(sources.Sum(t => Regex.Count(t, @"\bParent = this\b")), listed.Count(m => m.Groups["text"].Value == "Parent = this"));
        Assert.True(listed.Count > 60, $"{listed.Count} mutants");
    }
}
