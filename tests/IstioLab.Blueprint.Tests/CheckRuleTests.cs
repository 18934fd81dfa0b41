using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The rules every check follows, whichever check it is: it says what it proves, it is labelled as a check, it runs
/// inside or outside the mesh as it claims, the ones that ask the Kubernetes API use the pod's own token, and bad
/// arguments are refused by name. Written for the survivors of a mutation run over <c>Checks</c>.
/// </summary>
public class CheckRuleTests
{
    private const string Ip = "20.50.60.70";
    private const string Revision = "asm-1-30";
    private const string Ca = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

    /// <summary>Kubernetes mounts a pod's service account token here (a published path, not the product's constant).</summary>
    private const string TokenDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private static LabSettings Parse(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static LabSettings Everything => Parse(("istio-lab:authorization", "allow-list"), ("istio-lab:egress", "allow-list"), ("istio-lab:canaryWeight", "20"));

    private static LabSettings StepTwo => Parse(("istio-lab:workshopStep", "2"));

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects(LabSettings settings, string? ca = null) =>
        [.. WorkshopChecks.Build(settings, Revision, Ip, ca), .. WorkshopChecks.ServiceAccounts(settings), .. RestartsCheck.Build(settings, Revision, [])];

    private static Dictionary<string, string> Env(V1Job job) => Assert.Single(job.Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name, e => e.Value);

    private static V1Job JobOf(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects, string check) =>
        objects.OfType<V1Job>().Single(j => j.Metadata.Name.StartsWith($"check-{check}-", StringComparison.Ordinal));

    public static TheoryData<string> Stacks => new() { "everything", "step-two", "self-signed", "lets-encrypt" };

    private static (LabSettings Settings, string? Ca) Stack(string name) => name switch
    {
        "everything" => (Everything, null),
        "step-two" => (StepTwo, null),
        "self-signed" => (Parse(("istio-lab:https", "self-signed")), Ca),
        _ => (Parse(("istio-lab:https", "lets-encrypt")), null),
    };

    [Fact]
    public void EveryCheckSaysWhatItProvesInItsOwnWords()
    {
        CheckDefinition[] checks = [.. WorkshopChecks.All, RestartsCheck.Definition, WorkshopChecks.HttpsGateway(Parse(("istio-lab:https", "self-signed")))];

        Assert.All(checks, c => Assert.True(c.Proves.Length > 20, $"{c.Name} says too little: '{c.Proves}'"));
        Assert.Equal(checks.Length, checks.Select(c => c.Proves).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(WorkshopChecks.All.Count, WorkshopChecks.All.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryCheckJobCarriesWhatItProves(string stack)
    {
        var (settings, ca) = Stack(stack);
        var proves = WorkshopChecks.All.Append(RestartsCheck.Definition).ToDictionary(c => c.Name, c => c.Proves);
        if (settings.Https.Enabled)
        {
            proves["gateway"] = WorkshopChecks.HttpsGateway(settings).Proves;
        }

        var jobs = Objects(settings, ca).OfType<V1Job>().ToList();
        Assert.NotEmpty(jobs);
        Assert.All(jobs, j => Assert.Equal(proves[j.Metadata.Labels["app.kubernetes.io/name"]["check-".Length..]], j.Spec.Template.Metadata.Annotations["istio-lab/proves"]));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EveryCheckObjectIsLabelledAsACheckOfTheLab(string stack)
    {
        var (settings, ca) = Stack(stack);
        var objects = Objects(settings, ca).Where(o => o is V1Job or V1ServiceAccount or V1Role or V1RoleBinding).ToList();

        Assert.True(objects.Count >= 6, $"{objects.Count} objects");
        Assert.All(objects, o =>
        {
            Assert.Equal("check", o.Metadata.Labels["app.kubernetes.io/component"]);
            Assert.Equal("1", o.Metadata.Labels["app.kubernetes.io/version"]);
            Assert.Equal("istio-lab", o.Metadata.Labels["app.kubernetes.io/part-of"]);
            Assert.Equal("istio-lab", o.Metadata.Labels["app.kubernetes.io/managed-by"]);
            Assert.StartsWith("check-", o.Metadata.Labels["app.kubernetes.io/name"], StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void ChecksOutsideTheMeshHaveNoSidecarAndChecksInsideItWaitForTheirs(string stack)
    {
        var (settings, ca) = Stack(stack);
        var jobs = Objects(settings, ca).OfType<V1Job>().ToList();

        var outside = jobs.Where(j => j.Metadata.NamespaceProperty == settings.OutsideNamespace).ToList();
        Assert.NotEmpty(outside);
        Assert.All(outside, j => Assert.Equal("false", j.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]));
        Assert.All(outside, j => Assert.False(j.Spec.Template.Metadata.Annotations.ContainsKey("proxy.istio.io/config")));
        var inside = jobs.Where(j => j.Metadata.NamespaceProperty == settings.AppNamespace && !j.Metadata.Name.StartsWith("check-restarts-", StringComparison.Ordinal)).ToList();
        Assert.All(inside, j => Assert.False(j.Spec.Template.Metadata.Labels.ContainsKey("sidecar.istio.io/inject")));
        Assert.All(inside, j => Assert.Equal("""{"holdApplicationUntilProxyStarts":true}""", j.Spec.Template.Metadata.Annotations["proxy.istio.io/config"]));
        Assert.Equal(stack == "step-two" ? 0 : 1, inside.Count(j => j.Metadata.Name.StartsWith("check-inside-", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheChecksThatAskTheKubernetesApiUseTheirPodsOwnToken()
    {
        var sidecars = JobOf(Objects(StepTwo), "sidecars");
        var restarts = RestartsCheck.Job(Everything, Revision, []);
        var gateway = WorkshopChecks.GatewayJob(Everything, Ip);
        var kiali = ObservabilityChecks.KialiJob(Everything, ObservabilityChecks.MetricsJob(Everything, gateway));

        Assert.All([sidecars, restarts, kiali], j =>
        {
            Assert.Equal(TokenDirectory, Env(j)["TOKEN_DIR"]);
            Assert.True(j.Spec.Template.Spec.AutomountServiceAccountToken);
        });
        Assert.Equal("check-sidecars", sidecars.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("pets-outside-mesh/check-kiali", Env(kiali)["SERVICE_ACCOUNT"]);
        Assert.Equal("check-kiali", kiali.Spec.Template.Spec.ServiceAccountName);
        // The accounts themselves never mount a token into other pods.
        var account = ObservabilityChecks.Build(Everything, gateway).OfType<V1ServiceAccount>().Single();
        Assert.Equal(("check-kiali", "pets-outside-mesh"), (account.Metadata.Name, account.Metadata.NamespaceProperty));
        Assert.False(account.AutomountServiceAccountToken);
        // The checks that only send HTTP requests get no token at all.
        Assert.All(new[] { gateway, WorkshopChecks.OutsideJob(Everything, Revision), WorkshopChecks.PermissiveJob(Everything, Revision) },
            j => Assert.NotEqual(true, j.Spec.Template.Spec.AutomountServiceAccountToken));
    }

    [Fact]
    public void TheKialiCheckWritesOnlyToItsOwnSmallTmp()
    {
        var gateway = WorkshopChecks.GatewayJob(Everything, Ip);
        var pod = ObservabilityChecks.KialiJob(Everything, ObservabilityChecks.MetricsJob(Everything, gateway)).Spec.Template.Spec;

        var volume = Assert.Single(pod.Volumes);
        Assert.Equal("tmp", volume.Name);
        Assert.Equal("1Mi", volume.EmptyDir.SizeLimit.ToString());
        var mount = Assert.Single(Assert.Single(pod.Containers).VolumeMounts);
        Assert.Equal(("tmp", "/tmp"), (mount.Name, mount.MountPath));
    }

    [Fact]
    public void TheObservabilityChecksWaitLongerThanTheOthersWithinTheirOwnDeadline()
    {
        var gateway = WorkshopChecks.GatewayJob(Everything, Ip);
        var metrics = ObservabilityChecks.MetricsJob(Everything, gateway);
        var kiali = ObservabilityChecks.KialiJob(Everything, metrics);

        Assert.All([metrics, kiali], j =>
        {
            int Number(string name) => int.Parse(Env(j)[name], System.Globalization.CultureInfo.InvariantCulture);
            var (attempts, interval, timeout) = (Number("ATTEMPTS"), Number("INTERVAL_SECONDS"), Number("TIMEOUT_SECONDS"));
            var budget = attempts * (interval + timeout);
            Assert.Equal((ObservabilityChecks.Attempts, ObservabilityChecks.IntervalSeconds, ObservabilityChecks.RequestTimeoutSeconds), (attempts, interval, timeout));
            Assert.True(budget > WorkshopChecks.Attempts * (WorkshopChecks.IntervalSeconds + WorkshopChecks.RequestTimeoutSeconds));
            Assert.True(budget < j.Spec.ActiveDeadlineSeconds);
        });
    }

    [Theory]
    [InlineData("self-signed", "lab-ca", "/etc/istio-lab/ca/ca.crt")]
    [InlineData("lets-encrypt", "staging-issuer", "")]
    public void OnlyTheSelfSignedGatewayCheckMountsTheLabsCa(string mode, string verify, string caFile)
    {
        var settings = Parse(("istio-lab:https", mode));
        var job = WorkshopChecks.HttpsGatewayJob(settings, Ip, mode == "self-signed" ? Ca : null);

        Assert.Equal((verify, caFile), (Env(job)["TLS_VERIFY"], Env(job)["CA_FILE"]));
        var pod = job.Spec.Template.Spec;
        if (mode == "self-signed")
        {
            var volume = Assert.Single(pod.Volumes);
            Assert.Equal(("lab-ca", "store-ca"), (volume.Name, volume.ConfigMap.Name));
            var mount = Assert.Single(Assert.Single(pod.Containers).VolumeMounts);
            Assert.Equal(("lab-ca", "/etc/istio-lab/ca", true), (mount.Name, mount.MountPath, mount.ReadOnlyProperty));
        }
        else
        {
            Assert.True(pod.Volumes is null or { Count: 0 });
            Assert.True(Assert.Single(pod.Containers).VolumeMounts is null or { Count: 0 });
        }
    }

    [Fact]
    public void BeforeTheStoreThereIsNothingToCheck()
    {
        Assert.Empty(WorkshopChecks.Build(Parse(("istio-lab:workshopStep", "1")), Revision, Ip));
    }

    [Fact]
    public void ASelfSignedGatewayCheckWithoutTheLabsCaIsRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => WorkshopChecks.HttpsGatewayJob(Parse(("istio-lab:https", "self-signed")), Ip, null));

        Assert.Equal("caCertificatePem", error.ParamName);
        Assert.StartsWith("the self-signed gateway check needs the lab's CA certificate", error.Message, StringComparison.Ordinal);
        var off = Assert.Throws<ArgumentException>(() => WorkshopChecks.VerificationFor(LabSettings.Defaults.Https));
        Assert.Equal("https", off.ParamName);
        Assert.StartsWith("HTTPS is off: the gateway check runs over HTTP", off.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingArgumentsAreRefusedByName()
    {
        var s = LabSettings.Defaults;
        var job = WorkshopChecks.GatewayJob(s, Ip);
        void Refused<T>(string name, Action call)
            where T : ArgumentException => Assert.Equal(name, Assert.Throws<T>(call).ParamName);

        Refused<ArgumentNullException>("settings", () => WorkshopChecks.For(null!));
        Refused<ArgumentNullException>("check", () => WorkshopChecks.ServiceAccountName(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.MeshCallers(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.ServiceAccounts(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.StoreFrontUrl(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.OutsideNamespace(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.Build(null!, Revision, Ip));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.OutsideJob(null!, Revision));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.InsideJob(null!, Revision));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.DeniedTargetUrl(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.DeniedJob(null!, Revision));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.GatewayJob(null!, Ip));
        Refused<ArgumentException>("ingressIp", () => WorkshopChecks.GatewayJob(s, ""));
        Refused<ArgumentNullException>("job", () => WorkshopChecks.DependsOn(null!));
        Refused<ArgumentNullException>("https", () => WorkshopChecks.VerificationFor(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.HttpsGateway(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.CaConfigMap(null!, Ca));
        Refused<ArgumentException>("caCertificatePem", () => WorkshopChecks.CaConfigMap(s, ""));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.HttpsGatewayJob(null!, Ip, Ca));
        Refused<ArgumentException>("ingressIp", () => WorkshopChecks.HttpsGatewayJob(s, "", Ca));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.RedirectJob(null!, Ip));
        Refused<ArgumentException>("ingressIp", () => WorkshopChecks.RedirectJob(s, ""));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.SidecarsAccess(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.SidecarsJob(null!, Revision));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.StorePodsUrl(null!));
        Refused<ArgumentNullException>("settings", () => WorkshopChecks.PermissiveJob(null!, Revision));
        Refused<ArgumentNullException>("settings", () => ObservabilityChecks.StoreFrontRequestsQuery(null!));
        Refused<ArgumentNullException>("settings", () => ObservabilityChecks.Build(null!, job));
        Refused<ArgumentNullException>("gateway", () => ObservabilityChecks.Build(s, null!));
        Refused<ArgumentNullException>("settings", () => ObservabilityChecks.MetricsJob(null!, job));
        Refused<ArgumentNullException>("gateway", () => ObservabilityChecks.MetricsJob(s, null!));
        Refused<ArgumentNullException>("settings", () => ObservabilityChecks.KialiJob(null!, job));
        Refused<ArgumentNullException>("metrics", () => ObservabilityChecks.KialiJob(s, null!));
        Refused<ArgumentNullException>("settings", () => RestartsCheck.Build(null!, Revision, []));
        Refused<ArgumentNullException>("after", () => RestartsCheck.Build(s, Revision, null!));
        Refused<ArgumentNullException>("settings", () => RestartsCheck.Job(null!, Revision, []));
        Refused<ArgumentNullException>("after", () => RestartsCheck.Job(s, Revision, null!));
    }
}
