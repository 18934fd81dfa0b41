using IstioLab.Blueprint.Cleanup;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

public class CleanupSettingsTests
{
    /// <summary>The clock every expiry in these tests is compared to.</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static LabSettings Parse(params (string Key, string? Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => e.Value), new FixedClock());

    private static LabSettingsException Refused(params (string Key, string? Value)[] entries) =>
        Assert.Throws<LabSettingsException>(() => Parse(entries));

    [Fact]
    public void ByDefaultALabHasNoOwnerNoExtraTagsAndNoExpiryButIsStillTaggedAsTheLabsStack()
    {
        var settings = LabSettings.Defaults;

        Assert.Same(CleanupOptions.None, settings.Cleanup);
        Assert.Equal("never: istio-lab:expiresAt is not set", settings.Cleanup.ExpiresAtOutput);
        Assert.Equal(
            new Dictionary<string, string> { ["managed-by"] = "istio-lab", ["stack"] = "dev" },
            LabTags.For(settings, "dev"));
    }

    [Fact]
    public void OwnerExpiryAndTheUsersTagsAllReachTheTagSet()
    {
        var settings = Parse(
            ("istio-lab:owner", "platform@example.com"),
            ("istio-lab:tags", """{"cost-center":"1234","team":"mesh","tier":2}"""),
            ("istio-lab:expiresAt", "2026-12-05T18:00:00Z"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["cost-center"] = "1234",
                ["expires-at"] = "2026-12-05T18:00:00Z",
                ["managed-by"] = "istio-lab",
                ["owner"] = "platform@example.com",
                ["stack"] = "pr-42",
                ["team"] = "mesh",
                ["tier"] = "2",
            },
            LabTags.For(settings, "pr-42"));
        Assert.Equal("2026-12-05T18:00:00Z", settings.Cleanup.ExpiresAtOutput);
    }

    [Fact]
    public void AzuresTagLimitsAreThePublishedOnes()
    {
        // Azure docs articles/azure-resource-manager/management/tag-resources.md, "Limitations".
        Assert.Equal(['<', '>', '%', '&', '\\', '?', '/'], AzureTagRules.ForbiddenNameCharacters);
        Assert.Equal(50, AzureTagRules.MaxTagsPerResource);
        Assert.Equal(128, AzureTagRules.MaxNameLength);
        Assert.Equal(256, AzureTagRules.MaxValueLength);
        Assert.Equal(["microsoft", "azure", "windows"], AzureTagRules.ReservedNamePrefixes);
    }

    [Theory]
    [InlineData("a<b")]
    [InlineData("a>b")]
    [InlineData("50%")]
    [InlineData("r&d")]
    [InlineData(@"dom\user")]
    [InlineData("why?")]
    [InlineData("team/sub")]
    [InlineData("azure-team")]
    [InlineData("Microsoft.Owner")]
    [InlineData("WINDOWS")]
    [InlineData(" ")]
    [InlineData("managed-by")]
    [InlineData("Stack")]
    [InlineData("expires-at")]
    public void ATagNameAzureOrTheLabReservesIsRefused(string name)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [name] = "x" });

        var error = Assert.Single(Refused(("istio-lab:tags", json)).Errors);

        Assert.Equal("istio-lab:tags", error.Key);
        Assert.Equal(name, error.Value);
    }

    [Fact]
    public void TagNamesUpTo128CharactersAndValuesUpTo256AreAcceptedOneMoreIsNot()
    {
        var longest = new string('n', 128);
        var accepted = Parse(("istio-lab:tags", $$"""{"{{longest}}":"{{new string('v', 256)}}"}"""));
        Assert.Equal(new string('v', 256), accepted.Cleanup.Tags[longest]);

        var errors = Refused(("istio-lab:tags", $$"""{"{{new string('n', 129)}}":"x","ok":"{{new string('v', 257)}}"}""")).Errors;

        Assert.Equal(2, errors.Count);
        Assert.Contains("at most 128 characters", errors[0].Problem, StringComparison.Ordinal);
        Assert.Contains("at most 256 characters", errors[1].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AtMost46TagsOfTheUsersFitBesideTheLabsFourUnderAzuresFifty()
    {
        static string Tags(int count) => System.Text.Json.JsonSerializer.Serialize(Enumerable.Range(1, count).ToDictionary(i => $"t{i}", i => "v"));

        Assert.Equal(46, Parse(("istio-lab:tags", Tags(46))).Cleanup.Tags.Count);
        var error = Assert.Single(Refused(("istio-lab:tags", Tags(47))).Errors);
        Assert.Contains("at most 46 tags", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoTagNamesThatDifferOnlyInCaseAreOneTagToAzureAndAreRefused()
    {
        var error = Assert.Single(Refused(("istio-lab:tags", """{"Team":"a","team":"b"}""")).Errors);

        Assert.Equal("team", error.Value);
        Assert.Contains("without case", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team=platform")]
    [InlineData("""["team"]""")]
    [InlineData("\"team\"")]
    [InlineData("""{"team":{"name":"x"}}""")]
    [InlineData("""{"team":null}""")]
    public void TagsThatAreNotAJsonObjectOfPlainValuesAreRefused(string json)
    {
        var error = Assert.Single(Refused(("istio-lab:tags", json)).Errors);

        Assert.Equal("istio-lab:tags", error.Key);
    }

    [Fact]
    public void AnOwnerLongerThanATagValueMayBeIsRefused()
    {
        var error = Assert.Single(Refused(("istio-lab:owner", new string('o', 257))).Errors);

        Assert.Equal("istio-lab:owner", error.Key);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-12-05 18:00:00")]
    [InlineData("2026-12-05T18:00:00")]
    [InlineData("2026-12-05T18:00:00+01:00")]
    [InlineData("2026-13-05T18:00:00Z")]
    [InlineData("1733400000")]
    public void AnExpiryThatIsNotAnIso8601UtcTimeIsRefused(string text)
    {
        var error = Assert.Single(Refused(("istio-lab:expiresAt", text)).Errors);

        Assert.Equal("istio-lab:expiresAt", error.Key);
        Assert.Contains("ISO 8601 UTC", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-05T10:00:00Z")]
    [InlineData("2026-12-05T09:59Z")]
    [InlineData("2020-01-01T00:00:00Z")]
    public void AnExpiryThatIsNotAheadOfNowIsRefusedWithTheCommandsToExtendOrRemoveIt(string text)
    {
        var error = Assert.Single(Refused(("istio-lab:expiresAt", text)).Errors);

        Assert.Contains("in the past", error.Problem, StringComparison.Ordinal);
        Assert.Contains("pulumi config set istio-lab:expiresAt 2026-12-05T18:00:00Z", error.Problem, StringComparison.Ordinal);
        Assert.Contains("pulumi config rm istio-lab:expiresAt", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-05T10:01Z", "2026-12-05T10:01:00Z")]
    [InlineData("2027-06-30T23:59:59Z", "2027-06-30T23:59:59Z")]
    public void AnExpiryAheadOfNowIsKeptToTheSecond(string text, string written)
    {
        Assert.Equal(written, Parse(("istio-lab:expiresAt", text)).Cleanup.ExpiresAtOutput);
    }

    [Fact]
    public void ATtlNotYetFixedAsATimeIsRefusedWithTheExactCommandThatFixesIt()
    {
        var error = Assert.Single(Refused(("istio-lab:ttl", "2d")).Errors);

        Assert.Equal("istio-lab:ttl", error.Key);
        Assert.Contains("`pulumi config set istio-lab:expiresAt 2026-12-07T10:00:00Z`", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATtlFixedAsATimeIsKeptAndTheTimeIsWhatCounts()
    {
        var cleanup = Parse(("istio-lab:ttl", "8h"), ("istio-lab:expiresAt", "2026-12-05T12:00:00Z")).Cleanup;

        Assert.Equal(TimeSpan.FromHours(8), cleanup.Ttl);
        Assert.Equal("2026-12-05T12:00:00Z", cleanup.ExpiresAtOutput);
    }

    [Theory]
    [InlineData("8", false)]
    [InlineData("8 h", false)]
    [InlineData("1w", false)]
    [InlineData("0h", false)]
    [InlineData("08h", false)]
    [InlineData("31d", false)]
    [InlineData("721h", false)]
    [InlineData("1h", true)]
    [InlineData("720h", true)]
    [InlineData("30d", true)]
    public void ATtlIsWholeHoursOrDaysFromOneHourToThirtyDays(string text, bool valid)
    {
        Assert.Equal(valid, Expiry.TryParseTtl(text, out _));
        if (!valid)
        {
            var error = Assert.Single(Refused(("istio-lab:ttl", text), ("istio-lab:expiresAt", "2026-12-06T00:00:00Z")).Errors);
            Assert.Equal("istio-lab:ttl", error.Key);
        }
    }

    [Fact]
    public void EveryCleanupProblemIsReportedAtOnceWithTheOtherSettings()
    {
        var errors = Refused(
            ("istio-lab:nodeCount", "0"),
            ("istio-lab:owner", new string('o', 300)),
            ("istio-lab:tags", """{"azure":"x","a/b":"y"}"""),
            ("istio-lab:expiresAt", "2020-01-01T00:00:00Z")).Errors;

        Assert.Equal(
            ["istio-lab:nodeCount", "istio-lab:owner", "istio-lab:tags", "istio-lab:tags", "istio-lab:expiresAt"],
            errors.Select(e => e.Key));
    }
}
