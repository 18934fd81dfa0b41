using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Each refusal of the cleanup, egress, observability and canary settings says what is allowed, and each limit allows
/// the limit itself. Written for the survivors of a mutation run over <c>Settings</c>.
/// </summary>
public class SettingRefusalTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static LabSettings Parse(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value), new FixedClock());

    private static IReadOnlyList<SettingError> Refused(params (string Key, string Value)[] entries) =>
        Assert.Throws<LabSettingsException>(() => Parse(entries)).Errors;

    private static SettingError RefusedOnce(params (string Key, string Value)[] entries) => Assert.Single(Refused(entries));

    /// <summary>A DNS name of exactly <paramref name="length"/> characters: 63-character labels, then ".com".</summary>
    private static string NameOfLength(int length)
    {
        var labels = new List<string>();
        var left = length - ".com".Length;
        while (left > 0)
        {
            var size = Math.Min(63, left - (labels.Count > 0 ? 1 : 0));
            labels.Add(new string('a', size));
            left -= size + (labels.Count > 1 ? 1 : 0);
        }

        var name = string.Join('.', labels) + ".com";
        Assert.Equal(length, name.Length);
        return name;
    }

    [Fact]
    public void EachCleanupRefusalSaysWhatIsAllowed()
    {
        Assert.StartsWith("must be a valid tag value: a tag value has at most 256 characters", RefusedOnce(("istio-lab:owner", new string('o', 257))).Problem, StringComparison.Ordinal);
        Assert.Equal("must be a whole number of hours or days such as 8h or 2d, from 1h to 30d, or empty for none", RefusedOnce(("istio-lab:ttl", "3x")).Problem);
        Assert.EndsWith(
            "(now plus the time to live) once; the review-stack workflow does this itself",
            RefusedOnce(("istio-lab:ttl", "8h")).Problem,
            StringComparison.Ordinal);
        const string Json = """must be a JSON object of tag names to values, such as {"team":"platform","cost-center":"1234"}""";
        Assert.Equal(Json, RefusedOnce(("istio-lab:tags", "team=platform")).Problem);
        Assert.Equal(Json, RefusedOnce(("istio-lab:tags", """["team"]""")).Problem);
        Assert.Equal("a tag value must be text, a number or true/false", RefusedOnce(("istio-lab:tags", """{"team":{}}""")).Problem);
    }

    [Theory]
    [InlineData("owner", "'owner' is set by the lab itself (use istio-lab:owner)")]
    [InlineData("Expires-At", "'expires-at' is set by the lab itself (use istio-lab:expiresAt)")]
    [InlineData("managed-by", "'managed-by' is set by the lab itself")]
    [InlineData("stack", "'stack' is set by the lab itself")]
    public void ATagTheLabSetsItselfIsRefusedNamingTheSettingToUseInstead(string name, string problem)
    {
        var error = RefusedOnce(("istio-lab:tags", $$"""{"{{name}}":"x"}"""));

        Assert.Equal(("istio-lab:tags", name, problem), (error.Key, error.Value, error.Problem));
    }

    [Fact]
    public void TooManyTagsAreRefusedByTheirCount()
    {
        var json = "{" + string.Join(',', Enumerable.Range(1, 47).Select(i => $"\"t{i}\":\"v\"")) + "}";

        var error = RefusedOnce(("istio-lab:tags", json));

        Assert.Equal("47 tags", error.Value);
        Assert.StartsWith("holds at most 46 tags", error.Problem, StringComparison.Ordinal);
        Assert.Equal(46, Parse(("istio-lab:tags", "{" + string.Join(',', Enumerable.Range(1, 46).Select(i => $"\"t{i}\":\"v\"")) + "}")).Cleanup.Tags.Count);
    }

    [Fact]
    public void AnEgressEntryThatIsNotAHostIsRefusedOnceSayingWhatAHostMustBe()
    {
        var error = RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", "Bad_Host.example.com,api.example.com"));

        Assert.Equal("Bad_Host.example.com", error.Value);
        Assert.StartsWith("is not a host this lab can allow: it must be ", error.Problem, StringComparison.Ordinal);
        // A wildcard over a whole top-level domain is refused for that, once: not also for covering the check's host.
        var wide = RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", "*.com"));
        Assert.Contains("not over a whole top-level domain", wide.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostTheEgressCheckCallsIsRefusedEachTimeItIsListedAndNeverCountedAsListed()
    {
        var errors = Refused(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", "example.com,example.com"));

        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("covers example.com, the host the egress check calls", e.Problem, StringComparison.Ordinal));
    }

    [Fact]
    public void AnEntryWithoutANameBeforeItsPortGetsBothProblems()
    {
        var error = RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", ":abc"));

        Assert.StartsWith("is not a host this lab can allow: it must be a port from 1 to 65535 after the ':' (not 'abc'); a DNS-1123 name", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EgressNamesAreCheckedAtTheirLimitsAndAgainstTheClustersOwnDomain()
    {
        static Egress.EgressHost Only(string hosts) => Assert.Single(Parse(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", hosts)).EgressHosts);

        // The ServiceEntry is named egress.<host>, so a host may have 246 characters; at 247 it is refused for that name.
        Assert.Equal(NameOfLength(246), Only(NameOfLength(246)).Host);
        Assert.StartsWith("is not a host this lab can allow: it must be short enough that its ServiceEntry's name", RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", NameOfLength(247))).Problem, StringComparison.Ordinal);
        // A 253-character name is a DNS name (refused only for its ServiceEntry's name); 254 is not.
        Assert.Contains("ServiceEntry's name", RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", NameOfLength(253))).Problem, StringComparison.Ordinal);
        Assert.Contains("a DNS-1123 name", RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", NameOfLength(254))).Problem, StringComparison.Ordinal);
        // Digits in the last label do not make a name an IP address unless they are all it has.
        Assert.Equal("api.example.a1", Only("api.example.a1").Host);
        // Only names under .cluster.local are the cluster's own.
        Assert.Equal("mycluster.local", Only("mycluster.local").Host);
        Assert.Contains("cluster.local", RefusedOnce(("istio-lab:egress", "allow-list"), ("istio-lab:egressHosts", "store.cluster.local")).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClusterNameMayHaveSixtyThreeCharacters()
    {
        var name = "c" + new string('1', 62);

        Assert.Equal(name, Parse(("istio-lab:clusterName", name)).ClusterName);
        Assert.Equal("istio-lab:clusterName", RefusedOnce(("istio-lab:clusterName", name + "2")).Key);
    }

    [Fact]
    public void ObservabilityAndTheGrafanaAdminSayWhatIsAllowed()
    {
        var observability = RefusedOnce(("istio-lab:observability", "maybe"));
        Assert.Equal(("istio-lab:observability", "must be true or false"), (observability.Key, observability.Problem));
        var admin = RefusedOnce(("istio-lab:grafanaAdminObjectId", "me"));
        Assert.Equal("istio-lab:grafanaAdminObjectId", admin.Key);
        Assert.StartsWith("must be an Entra object id in GUID form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: `az ad signed-in-user show", admin.Problem, StringComparison.Ordinal);
        // Only the hyphenated form ("D") is an object id as Entra prints it; braces or no hyphens are refused.
        Assert.Equal("0a1b2c3d-4e5f-6789-abcd-ef0123456789", Parse(("istio-lab:grafanaAdminObjectId", "0a1b2c3d-4e5f-6789-abcd-ef0123456789")).GrafanaAdminObjectId);
        Assert.Equal("istio-lab:grafanaAdminObjectId", RefusedOnce(("istio-lab:grafanaAdminObjectId", "0a1b2c3d4e5f6789abcdef0123456789")).Key);
        Assert.Equal("istio-lab:grafanaAdminObjectId", RefusedOnce(("istio-lab:grafanaAdminObjectId", "{0a1b2c3d-4e5f-6789-abcd-ef0123456789}")).Key);
    }

    [Fact]
    public void ACanaryTooFarAheadNamesEveryRevisionItMayBe()
    {
        var error = RefusedOnce(("istio-lab:istioRevision", "asm-1-29"), ("istio-lab:istioCanaryRevision", "asm-1-33"));

        Assert.Matches(@"or the nearest supported revision when 'asm-1-29' and the next one are both out of support: asm-1-[0-9]+ or asm-1-[0-9]+$", error.Problem);
    }
}
