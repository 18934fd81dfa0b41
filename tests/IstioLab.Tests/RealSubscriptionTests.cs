using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using IstioLab.Blueprint.Settings;
using Moq;
using Pulumi;
using Pulumi.AzureNative.Authorization;
using Pulumi.Testing;
using YamlDotNet.RepresentationModel;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>
/// What a real subscription needs that a mock cannot show by itself, kept as rules: no preview-only ARM field without
/// its setting, every Job retried by the next update when it did not complete, role-assignment names that depend on
/// the subscription, and role assignments that replace by deleting first.
/// </summary>
public class RealSubscriptionTests
{
    /// <summary>Every feature that adds Jobs or role assignments: observability (the default), HTTPS and the allow-list.</summary>
    private static readonly Dictionary<string, string> Everything = new()
    {
        ["istio-lab:https"] = "self-signed",
        ["istio-lab:authorization"] = "allow-list",
    };

    private static readonly Dictionary<string, string> EverythingLetsEncrypt = new()
    {
        ["istio-lab:https"] = "lets-encrypt",
        ["istio-lab:authorization"] = "allow-list",
    };

    private static ImmutableDictionary<string, object> Pool(LabHarness lab) =>
        Map(Assert.Single(List(lab.Single(ClusterType).Inputs["agentPoolProfiles"])));

    [Fact]
    public async Task TheClusterCarriesNoSshAccessUnlessASettingAsksForIt()
    {
        var unset = new LabHarness();
        await unset.RunAsync(Everything);

        var pool = Pool(unset);
        Assert.False(pool.TryGetValue("securityProfile", out var profile) && Map(profile).ContainsKey("sshAccess"),
            "sshAccess is an AKS preview field (DisableSSHPreview); a subscription without the registration cannot create the cluster");
    }

    [Theory]
    [InlineData("disabled", "Disabled")]
    [InlineData("localuser", "LocalUser")]
    public async Task TheNodeSshAccessSettingSendsTheArmValue(string setting, string armValue)
    {
        var lab = new LabHarness();
        await lab.RunAsync(new Dictionary<string, string> { ["istio-lab:nodeSshAccess"] = setting });

        Assert.Equal(armValue, Map(Pool(lab)["securityProfile"])["sshAccess"]);
    }

    /// <summary>Every Job the lab registers: typed ones, and those inside the ConfigGroups' YAML.</summary>
    private static List<YamlMappingNode> Jobs(LabHarness lab)
    {
        var jobs = new List<YamlMappingNode>();
        foreach (var group in lab.OfType(ConfigGroupType))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(Assert.IsType<string>(group.Inputs["yaml"])));
            jobs.AddRange(stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()
                .Where(doc => doc.Children.TryGetValue(new YamlScalarNode("kind"), out var kind) && kind.ToString() == "Job"));
        }

        Assert.DoesNotContain(lab.Registered, r => r.Type == "kubernetes:batch/v1:Job");
        return jobs;
    }

    private static string? Annotation(YamlMappingNode job, string key) =>
        job.Children.TryGetValue(new YamlScalarNode("metadata"), out var meta)
        && ((YamlMappingNode)meta).Children.TryGetValue(new YamlScalarNode("annotations"), out var annotations)
        && ((YamlMappingNode)annotations).Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? value.ToString()
            : null;

    private static string Name(YamlMappingNode job) => ((YamlMappingNode)job.Children[new YamlScalarNode("metadata")]).Children[new YamlScalarNode("name")].ToString();

    public static TheoryData<string> Stacks => new() { "default", "everything", "everything-lets-encrypt" };

    private static Dictionary<string, string> ConfigOf(string stack) => stack switch
    {
        "everything" => Everything,
        "everything-lets-encrypt" => EverythingLetsEncrypt,
        _ => new Dictionary<string, string>(),
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task EveryJobTheLabRegistersIsReplacedByTheNextUpdateWhenItDidNotComplete(string stack)
    {
        var lab = new LabHarness();
        await lab.RunAsync(ConfigOf(stack));

        var jobs = Jobs(lab);
        // The gateway-IP wait, the dashboard's publication and the checks, at least.
        Assert.True(jobs.Count >= 5, $"expected the waits, the publication and the checks, found {jobs.Count} Jobs");
        Assert.All(jobs, job => Assert.True(Annotation(job, "pulumi.com/replaceUnready") == "true",
            $"Job {Name(job)} lacks pulumi.com/replaceUnready: \"true\"; a failed run of it would never run again"));
    }

    [Fact]
    public async Task EveryWaitAndPublicationJobIsAmongThem()
    {
        var lab = new LabHarness();
        await lab.RunAsync(Everything);

        var names = Jobs(lab).Select(Name).ToList();
        Assert.Contains("wait-for-ingress-ip", names);
        Assert.Contains(names, n => n.StartsWith("dashboard-publisher", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("check-outside-", StringComparison.Ordinal));
        Assert.True(names.Count(n => n.StartsWith("wait-", StringComparison.Ordinal)) >= 2, "the ingress-IP and static-IP waits: " + string.Join(", ", names));
    }

    [Fact]
    public async Task TwoRunsWithTheSameConfigRegisterIdenticalJobs()
    {
        static async Task<List<string>> JobsOf()
        {
            var lab = new LabHarness();
            await lab.RunAsync(Everything);
            return [.. Jobs(lab).Select(job =>
            {
                var stream = new YamlStream(new YamlDocument(job));
                var text = new StringWriter();
                stream.Save(text, assignAnchors: false);
                return text.ToString();
            }).Order(StringComparer.Ordinal)];
        }

        var first = await JobsOf();
        var second = await JobsOf();

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    /// <summary>A run whose <c>getClientConfig</c> answers with <paramref name="subscription"/>.</summary>
    private static async Task<LabHarness> RunInSubscriptionAsync(string subscription, Dictionary<string, string> config)
    {
        var lab = new LabHarness();
        lab.Mocks.Setup(m => m.CallAsync(It.IsAny<MockCallArgs>()))
            .ReturnsAsync((MockCallArgs args) => (object)(args.Token switch
            {
                "azure-native:authorization:getClientConfig" => ImmutableDictionary<string, object>.Empty
                    .Add("clientId", "deployer-client-id")
                    .Add("objectId", DeployerObjectId)
                    .Add("subscriptionId", subscription)
                    .Add("tenantId", "tenant-id"),
                "azure-native:containerservice:listManagedClusterUserCredentials" => ImmutableDictionary<string, object>.Empty
                    .Add("kubeconfigs", ImmutableArray.Create<object>(ImmutableDictionary<string, object>.Empty
                        .Add("name", "clusterUser")
                        .Add("value", Convert.ToBase64String(Encoding.UTF8.GetBytes(KubeConfig))))),
                _ => ImmutableDictionary<string, object>.Empty,
            }));
        await lab.RunAsync(config);
        return lab;
    }

    private static Dictionary<string, string> RoleAssignmentNames(LabHarness lab) =>
        lab.OfType(RoleAssignmentType).ToDictionary(r => r.Name!, r => Assert.IsType<string>(r.Inputs["roleAssignmentName"]));

    [Fact]
    public async Task EveryRoleAssignmentsNameChangesWhenOnlyTheSubscriptionChanges()
    {
        var first = RoleAssignmentNames(await RunInSubscriptionAsync("00000000-1111-2222-3333-444444444444", Everything));
        var second = RoleAssignmentNames(await RunInSubscriptionAsync("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", Everything));
        var again = RoleAssignmentNames(await RunInSubscriptionAsync("00000000-1111-2222-3333-444444444444", Everything));

        // Observability's four and HTTPS's Network Contributor.
        Assert.Equal(5, first.Count);
        Assert.Equal(first.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        Assert.All(first, pair => Assert.NotEqual(pair.Value, second[pair.Key]));
        Assert.Equal(first, again);
        Assert.All(first.Values, name => Assert.True(Guid.TryParseExact(name, "D", out _), $"'{name}' is not a GUID"));
        Assert.Equal(first.Count, first.Values.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task EveryRoleAssignmentIsRegisteredWithDeleteBeforeReplace()
    {
        var lab = new LabHarness();
        DeleteFirstStack.Recorded.Clear();
        var previous = Environment.GetEnvironmentVariable("PULUMI_CONFIG");
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", System.Text.Json.JsonSerializer.Serialize(Everything));
        try
        {
            await Deployment.TestAsync<DeleteFirstStack>(
                lab.Mocks.Object,
                new TestOptions { IsPreview = false, ProjectName = ConfigKeys.ProjectNamespace, StackName = "test" });
        }
        finally
        {
            Environment.SetEnvironmentVariable("PULUMI_CONFIG", previous);
        }

        var registered = lab.OfType(RoleAssignmentType).Select(r => r.Name!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(5, registered.Count);
        Assert.Equal(registered, DeleteFirstStack.Recorded.Keys.Order(StringComparer.Ordinal));
        Assert.All(DeleteFirstStack.Recorded, pair => Assert.True(pair.Value == true,
            $"role assignment {pair.Key} is not delete-before-replace: a new principal under the same name fails with RoleAssignmentUpdateNotPermitted"));
    }

    [Fact]
    public async Task APrincipalChangeReplacesTheAssignmentUnderTheSameName()
    {
        const string Subscription = "00000000-1111-2222-3333-444444444444";
        var mine = await RunInSubscriptionAsync(Subscription, new Dictionary<string, string>());
        var group = await RunInSubscriptionAsync(Subscription, new Dictionary<string, string> { ["istio-lab:grafanaAdminObjectId"] = "12345678-aaaa-bbbb-cccc-1234567890ab" });

        var before = mine.OfType(RoleAssignmentType).Single(r => r.Name!.EndsWith("grafana-admin", StringComparison.Ordinal)).Inputs;
        var after = group.OfType(RoleAssignmentType).Single(r => r.Name!.EndsWith("grafana-admin", StringComparison.Ordinal)).Inputs;

        // Same name, new principal: Azure refuses the update, so the engine must delete the old assignment first
        // (see EveryRoleAssignmentIsRegisteredWithDeleteBeforeReplace).
        Assert.Equal(before["roleAssignmentName"], after["roleAssignmentName"]);
        Assert.NotEqual(before["principalId"], after["principalId"]);
    }
}

/// <summary>The lab in a stack whose transformation records, for every role assignment, whether it deletes before replacing.</summary>
internal sealed class DeleteFirstStack : Stack
{
    public static ConcurrentDictionary<string, bool?> Recorded { get; } = new();

    public DeleteFirstStack()
        : base(new StackOptions { ResourceTransformations = { Record } })
    {
        Lab.Build(StackSettings.Read(), null);
    }

    private static ResourceTransformationResult? Record(ResourceTransformationArgs args)
    {
        if (args.Resource is RoleAssignment)
        {
            Recorded[args.Resource.GetResourceName()] = (args.Options as CustomResourceOptions)?.DeleteBeforeReplace;
        }

        return null;
    }
}
