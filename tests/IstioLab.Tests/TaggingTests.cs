using System.Collections.Immutable;
using IstioLab.Blueprint.Settings;
using IstioLab.Cleanup;
using Pulumi;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;

namespace IstioLab.Tests;

/// <summary>
/// The stack the program itself runs (<see cref="LabProgram"/>: its stack options and its run), so the tag
/// transformation under test is the one <c>pulumi up</c> applies. The outputs are kept for the tests to read.
/// </summary>
internal sealed class ProgramStack : Stack
{
    public ProgramStack()
        : this(new LabProgram())
    {
    }

    private ProgramStack(LabProgram program)
        : base(program.StackOptions)
    {
        LabOutputs = program.Run();
    }

    public IDictionary<string, object?> LabOutputs { get; }
}

public class TaggingTests
{
    private const string StackName = "test";
    private const string Future = "2999-01-01T00:00:00Z";

    /// <summary>
    /// The azure-native resource types the lab registers with everything on, split by whether their args take
    /// <c>tags</c>, as the SDK declares them (<c>@pulumi/azure-native@3.28.0</c>: each type's args interface has or
    /// lacks <c>tags?</c>). The test below reads the same from the .NET args types and must agree.
    /// </summary>
    private static readonly string[] Taggable =
    [
        "azure-native:alertsmanagement:PrometheusRuleGroup",
        "azure-native:containerservice:ManagedCluster",
        "azure-native:dashboard:Grafana",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:monitor:AzureMonitorWorkspace",
        "azure-native:monitor:DataCollectionEndpoint",
        "azure-native:monitor:DataCollectionRule",
        "azure-native:network:PublicIPAddress",
        "azure-native:resources:ResourceGroup",
    ];

    private static readonly string[] Untaggable =
    [
        "azure-native:authorization:RoleAssignment",
        "azure-native:managedidentity:FederatedIdentityCredential",
        "azure-native:monitor:DataCollectionRuleAssociation",
    ];

    private static Dictionary<string, string> Config(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    /// <summary>Everything Azure on: observability (the default) and HTTPS, so every Azure type the lab knows is made.</summary>
    private static Dictionary<string, string> Everything(params (string Key, string Value)[] more) =>
        Config([("istio-lab:https", "self-signed"), .. more]);

    private static async Task<(ImmutableArray<Resource> Resources, ProgramStack Stack)> RunProgramStackAsync(LabHarness lab, IReadOnlyDictionary<string, string> config)
    {
        var previous = Environment.GetEnvironmentVariable("PULUMI_CONFIG");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", System.Text.Json.JsonSerializer.Serialize(config));
        try
        {
            var resources = await Deployment.TestAsync<ProgramStack>(
                lab.Mocks.Object,
                new TestOptions { IsPreview = false, ProjectName = ConfigKeys.ProjectNamespace, StackName = StackName });
            return (resources, resources.OfType<ProgramStack>().Single());
        }
        finally
        {
            Environment.SetEnvironmentVariable("PULUMI_CONFIG", previous);
        }
    }

    private static ImmutableDictionary<string, object>? TagsOf(MockResourceArgs registration) =>
        registration.Inputs.TryGetValue("tags", out var tags) ? Map(tags) : null;

    [Fact]
    public async Task EveryAzureResourceWhoseArgsTakeTagsCarriesTheLabsTagsAndTheUsers()
    {
        var lab = new LabHarness();
        var (resources, _) = await RunProgramStackAsync(lab, Everything(
            ("istio-lab:owner", "platform@example.com"),
            ("istio-lab:tags", """{"cost-center":"1234","team":"mesh"}"""),
            ("istio-lab:expiresAt", Future)));

        var expected = new Dictionary<string, object>
        {
            ["cost-center"] = "1234",
            ["expires-at"] = Future,
            ["managed-by"] = "istio-lab",
            ["owner"] = "platform@example.com",
            ["stack"] = StackName,
            ["team"] = "mesh",
        };
        var azure = resources.Where(r => r.GetResourceType().StartsWith("azure-native:", StringComparison.Ordinal)).ToList();
        var taggable = azure.Where(r => AzureTagging.TagsOf(r.GetType().Assembly.GetType(r.GetType().FullName + "Args", throwOnError: true)!) is not null).ToList();

        Assert.Equal(Taggable, taggable.Select(r => r.GetResourceType()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Untaggable, azure.Except(taggable).Select(r => r.GetResourceType()).Distinct().Order(StringComparer.Ordinal));
        foreach (var resource in taggable)
        {
            var registration = Assert.Single(lab.Registered, r => r.Type == resource.GetResourceType() && r.Name == resource.GetResourceName());
            var tags = TagsOf(registration);
            Assert.NotNull(tags);
            Assert.Equal(expected, tags.ToDictionary(t => t.Key, t => t.Value));
        }
    }

    [Fact]
    public async Task ResourcesWhoseArgsTakeNoTagsAreSentNone()
    {
        var lab = new LabHarness();
        await RunProgramStackAsync(lab, Everything());

        var untaggable = lab.Registered.Where(r => Untaggable.Contains(r.Type)).ToList();
        Assert.NotEmpty(untaggable);
        Assert.All(untaggable, r => Assert.Null(TagsOf(r)));
        Assert.All(lab.Registered.Where(r => r.Type?.StartsWith("azure-native:", StringComparison.Ordinal) != true), r => Assert.Null(TagsOf(r)));
    }

    [Fact]
    public async Task WithoutOwnerOrExpiryTheTagsAreManagedByAndStackAndTheOutputSaysNever()
    {
        var lab = new LabHarness();
        var (_, stack) = await RunProgramStackAsync(lab, Config());

        var group = lab.Single("azure-native:resources:ResourceGroup");
        Assert.Equal(
            new Dictionary<string, object> { ["managed-by"] = "istio-lab", ["stack"] = StackName },
            TagsOf(group)!.ToDictionary(t => t.Key, t => t.Value));
        Assert.Equal("never: istio-lab:expiresAt is not set", stack.LabOutputs["expiresAt"]);
    }

    [Fact]
    public async Task TheExpiryIsAStackOutput()
    {
        var lab = new LabHarness();
        var (_, stack) = await RunProgramStackAsync(lab, Config(("istio-lab:expiresAt", "2999-01-01T00:00Z")));

        Assert.Equal(Future, stack.LabOutputs["expiresAt"]);
    }

    [Fact]
    public async Task TaggingChangesNoResourcesNameTypeOrOtherInput()
    {
        var config = Everything(("istio-lab:owner", "me"));
        var untagged = new LabHarness();
        await untagged.RunAsync(config);
        var tagged = new LabHarness();
        await RunProgramStackAsync(tagged, config);

        static List<string> WithoutTags(LabHarness lab) =>
            [.. lab.Registered.Select(r => $"{r.Type} {r.Name} {Canonical(r.Inputs.Remove("tags"))}").Order(StringComparer.Ordinal)];

        Assert.Equal(WithoutTags(untagged), WithoutTags(tagged));
        Assert.Contains(tagged.Registered, r => TagsOf(r) is not null);
    }

    [Fact]
    public async Task TwoRunsWithTheSameConfigTagIdentically()
    {
        var config = Config(("istio-lab:ttl", "8h"), ("istio-lab:expiresAt", Future));
        var first = new LabHarness();
        await RunProgramStackAsync(first, config);
        var second = new LabHarness();
        await RunProgramStackAsync(second, config);

        Assert.Equal(first.Snapshot(), second.Snapshot());
    }

    [Theory]
    [InlineData("istio-lab:expiresAt", "2020-01-01T00:00:00Z", "in the past")]
    [InlineData("istio-lab:expiresAt", "next friday", "ISO 8601 UTC")]
    [InlineData("istio-lab:ttl", "8h", "is not fixed as a time yet")]
    [InlineData("istio-lab:tags", """{"azure-cost":"x"}""", "must not start with 'azure'")]
    [InlineData("istio-lab:tags", "team=mesh", "JSON object")]
    public async Task ABadTagOrExpiryFailsTheRunBeforeAnyResourceIsRegistered(string key, string value, string problem)
    {
        var lab = new LabHarness();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunProgramStackAsync(lab, Config((key, value))));

        Assert.Contains(key, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(problem, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(lab.Registered, r => r.Type != "pulumi:pulumi:Stack");
    }
}
