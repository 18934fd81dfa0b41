using System.Text;
using System.Text.RegularExpressions;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The documentation carries a reader without leaving the repository: every relative link resolves (file and heading),
/// nothing points outside the repository for facts, every "pitfall N" in the code is written down in docs/design.md,
/// and the README stays an entry point a reader gets through in minutes.
/// </summary>
public partial class DocsTests
{
    /// <summary>The README is the entry point; topics live under docs/.</summary>
    public const int ReadmeMaxBytes = 15 * 1024;

    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git", "out"];

    public static IEnumerable<string> MarkdownFiles() =>
        Directory.EnumerateFiles(RepositoryFiles.Root, "*.md", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(RepositoryFiles.Root, path).Split(Path.DirectorySeparatorChar).Any(SkippedFolders.Contains))
            .Order(StringComparer.Ordinal);

    private static string Relative(string path) => Path.GetRelativePath(RepositoryFiles.Root, path).Replace('\\', '/');

    [Fact]
    public void EveryRelativeLinkInEveryMarkdownFileResolvesToAFileAndHeading()
    {
        var broken = new List<string>();
        var files = MarkdownFiles().ToList();
        Assert.True(files.Count > 5, "expected the README and the docs folder");

        foreach (var file in files)
        {
            foreach (var link in Links(File.ReadAllText(file)))
            {
                if (link.Contains("://", StringComparison.Ordinal) || link.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var hash = link.IndexOf('#', StringComparison.Ordinal);
                var target = hash < 0 ? link : link[..hash];
                var anchor = hash < 0 ? null : link[(hash + 1)..];
                var path = target.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, target));
                if (!path.StartsWith(RepositoryFiles.Root, StringComparison.Ordinal) || (!File.Exists(path) && !Directory.Exists(path)))
                {
                    broken.Add($"{Relative(file)}: {link} (no such file in the repository)");
                }
                else if (anchor is not null && path.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(path)).Contains(anchor))
                {
                    broken.Add($"{Relative(file)}: {link} (no heading '{anchor}' in {Relative(path)})");
                }
            }
        }

        Assert.True(broken.Count == 0, "broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void TheLinkCheckerFindsABrokenLinkAndABrokenHeading()
    {
        var text = "See [a](missing.md), [b](#no-such-heading) and [c](#real-heading).\n\n## Real heading\n";

        Assert.Equal(["missing.md", "#no-such-heading", "#real-heading"], Links(text));
        Assert.Contains("real-heading", Anchors(text));
        Assert.DoesNotContain("no-such-heading", Anchors(text));
    }

    [Fact]
    public void HeadingsBecomeTheAnchorsGitHubGivesThem()
    {
        Assert.Equal(["upgrading-istio-the-add-ons-canary-upgrade"], Anchors("# Upgrading Istio: the add-on's canary upgrade"));
        Assert.Equal(["state-backend", "state-backend-1"], Anchors("## State backend\n## State backend"));
        Assert.Equal(["the-checks"], Anchors("```bash\n# not a heading\n```\n## The `checks`"));
    }

    [Fact]
    public void NothingInTheRepositoryPointsOutsideItForFacts()
    {
        var offenders = new List<string>();
        foreach (var folder in new[] { "infra", "tests", "docs", ".github", ".ci" })
        {
            var root = RepositoryFiles.PathOf(folder);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(RepositoryFiles.Root, f).Split(Path.DirectorySeparatorChar).Any(SkippedFolders.Contains))
                .Where(f => !f.EndsWith("package-lock.json", StringComparison.Ordinal)))
            {
                var text = File.ReadAllText(file);
                if (OutsidePath().IsMatch(text) && !file.EndsWith(nameof(DocsTests) + ".cs", StringComparison.Ordinal))
                {
                    offenders.Add(Relative(file));
                }
            }
        }

        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));
        if (OutsidePath().IsMatch(readme))
        {
            offenders.Add("README.md");
        }

        Assert.True(offenders.Count == 0, "these files point outside the repository (../ above its root, or a shared reference folder): " + string.Join(", ", offenders));
    }

    [Fact]
    public void EveryPitfallTheCodeNamesIsWrittenDownInTheDesignPage()
    {
        var design = File.ReadAllText(RepositoryFiles.PathOf("docs", "design.md"));
        var written = PitfallItem().Matches(design).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var named = new SortedSet<int>();
        foreach (var folder in new[] { "infra", "tests", "docs" })
        {
            foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf(folder), "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".md", StringComparison.Ordinal)))
            {
                foreach (Match m in PitfallReference().Matches(File.ReadAllText(file)))
                {
                    named.Add(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        Assert.NotEmpty(named);
        Assert.All(named, n => Assert.True(written.Contains(n), $"pitfall {n} is named in the code but not written down in docs/design.md"));
    }

    [Fact]
    public void TheReadmeIsAnEntryPointReadInMinutes()
    {
        var bytes = new FileInfo(RepositoryFiles.PathOf("README.md")).Length;

        Assert.True(bytes < ReadmeMaxBytes, $"README.md is {bytes} bytes; keep it under {ReadmeMaxBytes} and move topics to docs/");
    }

    [Fact]
    public void TheReadmeLeadsToEveryTopicPage()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));
        var pages = Directory.EnumerateFiles(RepositoryFiles.PathOf("docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p)).ToList();

        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.Contains($"({page}", readme, StringComparison.Ordinal));
    }

    /// <summary>The targets of inline Markdown links and images, outside code blocks and code spans.</summary>
    public static List<string> Links(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        return [.. LinkTarget().Matches(WithoutCode(markdown)).Select(m => m.Groups[1].Value)];
    }

    /// <summary>The anchors GitHub gives a document's headings: lowercase, punctuation dropped, spaces to '-', repeats numbered.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in WithoutFencedBlocks(markdown).Split('\n'))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }

            var slug = new StringBuilder();
            foreach (var c in heading.Groups[1].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }

            var anchor = slug.ToString();
            var count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }

        return anchors;
    }

    private static string WithoutFencedBlocks(string markdown) => FencedBlock().Replace(markdown.Replace("\r", "", StringComparison.Ordinal), "");

    private static string WithoutCode(string markdown) => CodeSpan().Replace(WithoutFencedBlocks(markdown), "");

    [GeneratedRegex(@"(?ms)^```.*?^```")]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"^#{1,6}\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(\.\./)+shared|shared/reference|/work/")]
    private static partial Regex OutsidePath();

    [GeneratedRegex(@"(?m)^(\d+)\. \*\*")]
    private static partial Regex PitfallItem();

    [GeneratedRegex(@"pitfall (\d+)")]
    private static partial Regex PitfallReference();
}
