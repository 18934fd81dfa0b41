using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

public class AuthorizationTests
{
    private const string StoreGroup = "istio-lab-store-workloads";
    private const string ChecksGroup = "istio-lab-checks-jobs";

    private static Dictionary<string, string> Config(string mode, string variant = "all-in-one") =>
        new() { ["istio-lab:authorization"] = mode, ["istio-lab:storeVariant"] = variant };

    private static string NameOf(MockResourceArgs r) => (string)Map(r.Inputs["metadata"])["name"];

    [Theory]
    [InlineData("open", "all-in-one", 9)]
    [InlineData("allow-list", "quickstart", 4)]
    public async Task EveryStoreWorkloadGetsItsOwnServiceAccountThroughTheExplicitProviderBeforeTheStore(string mode, string variant, int workloads)
    {
        var lab = new LabHarness { Slow = r => r.Type == ServiceAccountType };
        await lab.RunAsync(Config(mode, variant));

        var provider = lab.Single(ProviderType);
        var store = lab.OfType(ServiceAccountType).Where(r => r.Name!.StartsWith("istio-lab-store-sa-", StringComparison.Ordinal)).ToList();
        Assert.Equal(workloads, store.Count);
        Assert.All(store, sa =>
        {
            Assert.Contains($"{ProviderType}::{provider.Name}::", sa.Provider, StringComparison.Ordinal);
            Assert.Equal("pets", Map(sa.Inputs["metadata"])["namespace"]);
            Assert.Equal(false, sa.Inputs["automountServiceAccountToken"]);
            Assert.Equal($"istio-lab-store-sa-{NameOf(sa)}", sa.Name);
            Assert.True(lab.WaitedFor(StoreGroup, sa.Name!), $"the store must wait for {sa.Name}, or its pods cannot be created");
        });
    }

    [Fact]
    public async Task InOpenModeNoAuthorizationPolicyIsCreated()
    {
        var lab = new LabHarness();
        await lab.RunAsync();

        Assert.Empty(lab.OfType(PolicyType));
    }

    [Theory]
    [InlineData("all-in-one")]
    [InlineData("quickstart")]
    public async Task WithTheAllowListEveryPolicyOfTheBlueprintReachesTheClusterAsAnSpecResource(string variant)
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config("allow-list", variant));

        var settings = LabSettings.Parse(Config("allow-list", variant).ToDictionary(p => p.Key, p => (string?)p.Value));
        var expected = AuthorizationManifest.Build(settings);
        var provider = lab.Single(ProviderType);
        var policies = lab.OfType(PolicyType).ToList();
        Assert.Equal(expected.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal), policies.Select(NameOf).Order(StringComparer.Ordinal));
        Assert.All(policies, p =>
        {
            Assert.Contains($"{ProviderType}::{provider.Name}::", p.Provider, StringComparison.Ordinal);
            Assert.Equal("pets", Map(p.Inputs["metadata"])["namespace"]);
            Assert.Equal("security.istio.io/v1", p.Inputs["apiVersion"]);
            Assert.Equal("AuthorizationPolicy", p.Inputs["kind"]);
            var blueprint = expected.Single(e => e.Metadata.Name == NameOf(p));
            Assert.Equal(Canonical(PlainTree.Of(blueprint.Spec)), Canonical(p.Inputs["spec"]));
        });
        var allowNothing = policies.Single(p => NameOf(p) == "allow-nothing");
        Assert.Empty(Map(allowNothing.Inputs["spec"]));
    }

    [Fact]
    public async Task InDryRunEveryPolicyCarriesTheDryRunAnnotation()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Config("dry-run"));

        var policies = lab.OfType(PolicyType).ToList();
        Assert.Equal(7, policies.Count);
        Assert.All(policies, p => Assert.Equal("true", Map(Map(p.Inputs["metadata"])["annotations"])["istio.io/dry-run"]));
    }

    [Fact]
    public async Task ThePoliciesWaitForTheStoreAndAllowNothingWaitsForEveryAllowPolicy()
    {
        var lab = new LabHarness { Slow = r => r.Name == StoreGroup || (r.Type == PolicyType && NameOf(r) != "allow-nothing") };
        await lab.RunAsync(Config("allow-list"));

        var policies = lab.OfType(PolicyType).ToList();
        var allowNothing = policies.Single(p => NameOf(p) == "allow-nothing");
        Assert.All(policies, p => Assert.True(lab.WaitedFor(p.Name!, StoreGroup), $"{p.Name} must wait until the store runs as its own service accounts"));
        Assert.All(policies.Where(p => p != allowNothing), p => Assert.True(lab.WaitedFor(allowNothing.Name!, p.Name!), $"allow-nothing must wait for {p.Name}"));
    }

    [Fact]
    public async Task TheChecksWaitForThePoliciesAndTheirOwnServiceAccounts()
    {
        var lab = new LabHarness { Slow = r => r.Type is PolicyType or ServiceAccountType || r.Name == StoreGroup };
        await lab.RunAsync(Config("allow-list"));

        var checkAccounts = lab.OfType(ServiceAccountType).Where(r => r.Name!.StartsWith("istio-lab-checks-sa-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["check-denied", "check-inside"], checkAccounts.Select(NameOf).Order(StringComparer.Ordinal));
        Assert.All(checkAccounts, sa => Assert.Equal(false, sa.Inputs["automountServiceAccountToken"]));
        Assert.All(checkAccounts, sa => Assert.True(lab.WaitedFor(sa.Name!, StoreGroup), $"{sa.Name} lives in the application namespace and must come after it"));
        Assert.All(lab.OfType(PolicyType).Concat(checkAccounts), r => Assert.True(lab.WaitedFor(ChecksGroup, r.Name!), $"the checks must wait for {r.Name}"));
    }

    [Fact]
    public async Task WithTheAllowListTheChecksOutputListsTheDeniedCheck()
    {
        var outputs = await new LabHarness().RunAsync(Config("allow-list"));

        var summary = await ValueOf(Assert.IsType<Output<System.Collections.Immutable.ImmutableDictionary<string, string>>>(outputs["checks"]));
        Assert.Equal(["denied", "gateway", "inside", "kiali", "metrics", "outside"], summary.Keys.Order(StringComparer.Ordinal));
        Assert.Matches("^pets/check-denied-[0-9a-f]{10}: ", summary["denied"]);
    }
}
