using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// <c>istio-lab:workshopStep</c>: each step builds the workshop up to and including itself, only adds to the step before
/// it, and proves what it claims; features beyond the workshop need the whole workshop.
/// </summary>
public sealed class WorkshopStepTests : IDisposable
{
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static LabSettings Step(int? step, params (string Key, string Value)[] more)
    {
        var config = new Dictionary<string, string?>();
        if (step is { } s)
        {
            config["istio-lab:workshopStep"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in more)
        {
            config[key] = value;
        }

        return LabSettings.Parse(config);
    }

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Render(int? step) =>
        LabManifest.Build(Step(step), "asm-1-27", "password", "20.1.2.3");

    private static List<string> Kinds(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) => [.. objects.Select(o => o.Kind)];

    private static List<string> CheckNames(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
        [.. objects.OfType<V1Job>().Where(j => j.Metadata.Name.StartsWith("check-", StringComparison.Ordinal)).Select(j => j.Metadata.Name[6..j.Metadata.Name.LastIndexOf('-')])];

    [Fact]
    public void UnsetBuildsTheWholeLab()
    {
        var settings = LabSettings.Defaults;

        Assert.Null(settings.WorkshopStep);
        Assert.All(WorkshopSteps.All, step => Assert.True(settings.Reaches(step.Number)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("two")]
    [InlineData("2.5")]
    [InlineData("-1")]
    public void AStepOutsideOneToFiveIsRefusedNamingTheSteps(string value)
    {
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:workshopStep"] = value }));

        var only = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:workshopStep", only.Key);
        Assert.Contains("one of 1, 2, 3, 4, 5", only.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EveryFeatureBeyondTheWorkshopIsRefusedBeforeStepFiveEachNamingItsKeyAllAtOnce(int step)
    {
        var error = Assert.Throws<LabSettingsException>(() => Step(step,
            ("istio-lab:istioRevision", "asm-1-27"), ("istio-lab:istioCanaryRevision", "asm-1-28"),
            ("istio-lab:authorization", "dry-run"), ("istio-lab:https", "self-signed"), ("istio-lab:egress", "allow-list"),
            ("istio-lab:userAuth", "lab-issuer"), ("istio-lab:canaryWeight", "10"), ("istio-lab:timeout", "3s"), ("istio-lab:circuitBreaker", "true")));

        Assert.Equal(
            ["istio-lab:authorization", "istio-lab:canaryWeight", "istio-lab:circuitBreaker", "istio-lab:egress", "istio-lab:https", "istio-lab:istioCanaryRevision", "istio-lab:timeout", "istio-lab:userAuth"],
            error.Errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(error.Errors, e => Assert.Contains("needs istio-lab:workshopStep 5 or unset", e.Problem, StringComparison.Ordinal));
    }

    [Fact]
    public void StepFiveAllowsEveryFeatureBeyondTheWorkshop()
    {
        var settings = Step(5, ("istio-lab:istioRevision", "asm-1-27"), ("istio-lab:istioCanaryRevision", "asm-1-28"),
            ("istio-lab:authorization", "allow-list"), ("istio-lab:https", "self-signed"));

        Assert.Equal(5, settings.WorkshopStep);
        Assert.Equal(AuthorizationMode.AllowList, settings.Authorization);
    }

    [Fact]
    public void TheFeaturesBeyondTheWorkshopAreOffByDefault()
    {
        Assert.All(WorkshopSteps.BeyondTheWorkshop, f => Assert.Equal(f.Key.Default, f.Off));
    }

    [Fact]
    public void StepOneIsAzureOnly()
    {
        Assert.Empty(Render(1));
    }

    [Fact]
    public void StepTwoDeploysTheStoreIntoAPermissiveMeshAndProvesBoth()
    {
        var objects = Render(2);

        Assert.Contains(objects, o => o is V1Namespace ns && ns.Metadata.Name == "pets" && ns.Metadata.Labels["istio.io/rev"] == "asm-1-27");
        Assert.Contains(objects, o => o is V1Deployment d && d.Metadata.Name == "store-front");
        Assert.DoesNotContain("PeerAuthentication", Kinds(objects));
        Assert.DoesNotContain("Gateway", Kinds(objects));
        Assert.DoesNotContain("VirtualService", Kinds(objects));
        Assert.DoesNotContain(objects, o => o.Metadata.Name == IngressAddressWait.Name);
        Assert.Equal(["sidecars", "permissive", "restarts"], CheckNames(objects));
        Assert.DoesNotContain(objects, o => o is V1ServiceAccount sa && sa.Metadata.Name == "check-inside");
    }

    [Fact]
    public void StepThreeAddsStrictMutualTlsAndItsTwoChecks()
    {
        var objects = Render(3);

        var strict = Assert.Single(objects.OfType<PeerAuthentication>());
        Assert.Equal("STRICT", strict.Spec.Mtls?.Mode);
        Assert.DoesNotContain("Gateway", Kinds(objects));
        Assert.Equal(["outside", "inside", "restarts"], CheckNames(objects));
    }

    [Fact]
    public void StepFourAddsTheGatewayTheRouteTheIpWaitAndTheGatewayCheckButNothingOfObservingInTheCluster()
    {
        var objects = Render(4);

        Assert.Single(objects.OfType<Gateway>());
        Assert.Single(objects.OfType<VirtualService>());
        Assert.Contains(objects, o => o.Metadata.Name == IngressAddressWait.Name);
        Assert.Equal(["outside", "inside", "gateway", "restarts"], CheckNames(objects));
        Assert.DoesNotContain(objects, o => o.Metadata.NamespaceProperty == Observability.MonitoringManifest.Namespace);
        Assert.DoesNotContain(objects, o => o is V1ConfigMap cm && cm.Metadata.NamespaceProperty == "kube-system");
    }

    [Fact]
    public void StepFiveIsTheWholeLab()
    {
        Assert.Equal(LabManifest.ToYaml(Render(null)), LabManifest.ToYaml(Render(5)));
        Assert.Equal(["outside", "inside", "gateway", "metrics", "kiali", "restarts"], CheckNames(Render(5)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EachStepKeepsEveryObjectOfTheStepBeforeItUnchangedButItsChecks(int step)
    {
        static Dictionary<string, string> ByName(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) =>
            objects.Where(o => o is not V1Job job || !job.Metadata.Name.StartsWith("check-", StringComparison.Ordinal))
                .Where(o => !(o.Kind == "ServiceAccount" && o.Metadata.Name == WorkshopChecks.SidecarsServiceAccount))
                .Where(o => !(o.Kind is "Role" or "RoleBinding" && o.Metadata.Name == WorkshopChecks.PodReaderRole))
                .ToDictionary(o => $"{o.Kind}/{o.Metadata.NamespaceProperty}/{o.Metadata.Name}", o => KubernetesYaml.Serialize(o));

        var before = ByName(Render(step));
        var after = ByName(Render(step + 1));

        Assert.NotEmpty(before);
        Assert.All(before, pair =>
        {
            Assert.True(after.TryGetValue(pair.Key, out var same), $"{pair.Key} of step {step} is gone at step {step + 1}");
            Assert.Equal(pair.Value, same);
        });
        Assert.True(after.Count > before.Count, $"step {step + 1} adds nothing");
    }

    [Fact]
    public void TheSidecarsCheckMayListTheStoresPodsAndNothingElse()
    {
        var access = WorkshopChecks.SidecarsAccess(LabSettings.Defaults);
        var role = Assert.Single(access.OfType<V1Role>());
        var rule = Assert.Single(role.Rules);
        var binding = Assert.Single(access.OfType<V1RoleBinding>());
        var job = WorkshopChecks.SidecarsJob(LabSettings.Defaults, "asm-1-27");

        Assert.Equal("pets", role.Metadata.NamespaceProperty);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["list"], rule.Verbs);
        Assert.Null(rule.ResourceNames);
        Assert.Equal(("ServiceAccount", "check-sidecars", "pets-outside-mesh"), (binding.Subjects.Single().Kind, binding.Subjects.Single().Name, binding.Subjects.Single().NamespaceProperty));
        Assert.Equal("check-sidecars", job.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("pets-outside-mesh", job.Metadata.NamespaceProperty);
        Assert.Equal("false", job.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal(WorkshopChecks.BackoffLimit, job.Spec.BackoffLimit);
        Assert.Equal(WorkshopChecks.ActiveDeadlineSeconds, job.Spec.ActiveDeadlineSeconds);
    }

    private const string TwoPods = """0|{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"store-front-1","namespace":"pets"}},{"metadata":{"name":"order-service-2","namespace":"pets"}}]}""";
    private const string NoPods = """0|{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}""";
    private const string OneBare = """0|{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"order-service-2","namespace":"pets"}}]}""";
    private const string Forbidden = """0|{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"Forbidden","code":403}""";

    private (int Exit, string Output, IReadOnlyList<string> Calls) RunSidecars(params string[] plan)
    {
        var tokenDir = Directory.CreateTempSubdirectory("istio-lab-token-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tokenDir, "token"), "sa-token");
            return runner.RunWith(WorkshopChecks.SidecarsJob(LabSettings.Defaults, "asm-1-27"), new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, plan);
        }
        finally
        {
            Directory.Delete(tokenDir, recursive: true);
        }
    }

    [Fact]
    public void TheSidecarsCheckPassesWhenEveryStorePodIsInjected()
    {
        var (exit, output, calls) = RunSidecars(TwoPods, NoPods);

        Assert.Equal(0, exit);
        Assert.Equal("PASS sidecars: all 2 pods of the store in pets carry an Istio sidecar", output.Trim());
        Assert.Contains(calls, c => c.Contains("labelSelector=app.kubernetes.io/part-of=aks-store-demo,!security.istio.io/tlsMode", StringComparison.Ordinal));
        Assert.All(calls, c => Assert.Contains("Authorization: Bearer sa-token", c, StringComparison.Ordinal));
    }

    [Fact]
    public void TheSidecarsCheckFailsNamingEveryPodWithoutASidecar()
    {
        var (exit, output, _) = RunSidecars(TwoPods, OneBare);

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL sidecars:", output.Trim(), StringComparison.Ordinal);
        Assert.Contains("'order-service-2 '", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSidecarsCheckFailsWhenTheStoreHasNoPodsOrTheApiRefuses()
    {
        Assert.Equal(1, RunSidecars(NoPods, NoPods).Exit);
        Assert.Equal(1, RunSidecars(Forbidden, Forbidden).Exit);
        Assert.Equal(1, RunSidecars("7|", "7|").Exit);
    }

    [Fact]
    public void ThePermissiveCheckPassesOnlyOnAPlaintextHttp200()
    {
        var job = WorkshopChecks.PermissiveJob(LabSettings.Defaults, "asm-1-27");

        var (exit, output, calls) = runner.Run(job, "7|000", "0|200");
        Assert.Equal(0, exit);
        Assert.StartsWith("PASS permissive:", output.Trim(), StringComparison.Ordinal);
        Assert.All(calls, c => Assert.Contains("http://store-front.pets.svc.cluster.local:80", c, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("56|000")]
    [InlineData("52|000")]
    [InlineData("0|503")]
    [InlineData("7|000")]
    public void ThePermissiveCheckFailsOnAResetARefusalOrAnyOtherStatus(string outcome)
    {
        var (exit, output, _) = runner.Run(WorkshopChecks.PermissiveJob(LabSettings.Defaults, "asm-1-27"), outcome);

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL permissive:", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheWorkshopPagesTableOfStepsIsTheOneBuiltFromTheStepsAndTheirChecks()
    {
        var page = File.ReadAllText(RepositoryFiles.PathOf("docs", "workshop.md")).Replace("\r", "", StringComparison.Ordinal);
        var table = Rendering.WorkshopGuide.StepsTable();

        Assert.Contains("\n" + table + "\n", page, StringComparison.Ordinal);
        Assert.Equal(WorkshopSteps.All.Count, table.Split('\n').Length);
    }

    [Fact]
    public void TheReadmesLearningPathNamesEachStepsChecks()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));

        Assert.Contains($"pulumi config set {ConfigKeys.WorkshopStep.FullName} 1", readme, StringComparison.Ordinal);
        Assert.All(WorkshopSteps.All.Select(s => Step(s.Number)).SelectMany(WorkshopChecks.For).Distinct(),
            check => Assert.Contains($"`{check.Name}`", readme, StringComparison.Ordinal));
    }
}
