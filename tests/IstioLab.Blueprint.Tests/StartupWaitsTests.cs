using System.Diagnostics;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The waits that keep the store from restarting on a fresh deploy: who waits for whom, how they probe, and how their
/// script behaves against a fake <c>nc</c>.
/// </summary>
public sealed class StartupWaitsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("istio-lab-wait-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static IEnumerable<(string Caller, string Wait)> WaitsInTheRender(string variant) =>
        StoreManifestTests.PodTemplates(StoreManifestTests.Store(variant))
            .SelectMany(p => (p.Template.Spec.InitContainers ?? []).Select(c => (p.Name, c.Name)));

    [Fact]
    public void AllInOneHoldsEachCallerUntilTheCalleesItNeedsAtStartAreReady()
    {
        // From the store's sources at 2.0.0: virtual-worker exits on a non-2xx from makeline-service, makeline-service
        // exits without MongoDB and answers 500 without RabbitMQ, and upstream already holds order-service for RabbitMQ.
        Assert.Equal(
            [
                ("order-service", "wait-for-rabbitmq"),
                ("makeline-service", "wait-for-rabbitmq"),
                ("makeline-service", "wait-for-mongodb"),
                ("virtual-worker", "wait-for-makeline-service"),
            ],
            WaitsInTheRender("all-in-one"));
    }

    [Fact]
    public void QuickstartHoldsOnlyOrderServiceForRabbitMq()
    {
        Assert.Equal([("order-service", "wait-for-rabbitmq")], WaitsInTheRender("quickstart"));
    }

    [Fact]
    public void VirtualCustomerWaitsForNothingBecauseItOnlyLogsAFailedOrder()
    {
        var customer = StoreCatalog.Workloads(StoreVariant.AllInOne).Single(w => w.Name == "virtual-customer");

        Assert.Empty(StartupWaits.For(customer, StoreCatalog.Workloads(StoreVariant.AllInOne)));
        Assert.NotEmpty(customer.Calls);
    }

    /// <summary>A made-up catalog: the rule must follow its declarations, whatever the workloads are called.</summary>
    private static Workload Made(string name, int containerPort, int servicePort, params StoreCall[] calls) => new()
    {
        Name = name,
        Kind = WorkloadKind.Deployment,
        Image = "ghcr.io/example/" + name + ":1",
        Component = "api",
        Ports = containerPort == 0 ? [] : [new PortSpec("http", "", containerPort, servicePort)],
        Requests = new Compute("1m", "1Mi"),
        Limits = new Compute("2m", "2Mi"),
        Calls = calls,
    };

    [Fact]
    public void TheWaitsFollowTheCallsDeclaredNeededAtStartAndProbeTheCalleesServicePort()
    {
        var callee = Made("alpha", 8080, 80);
        var other = Made("beta", 9000, 9000);
        var caller = Made("gamma", 0, 0,
            StoreCall.Http("alpha", 8080).AtStart("gamma exits without alpha"),
            StoreCall.Http("beta", 9000),
            StoreCall.Http("not-deployed", 1234));

        var wait = Assert.Single(StartupWaits.For(caller, [callee, other, caller]));

        Assert.Equal(new StartupWait("gamma", "alpha", 80, "gamma exits without alpha"), wait);
        Assert.Equal("wait-for-alpha", wait.ContainerName);
        Assert.Empty(StartupWaits.For(callee, [callee, other, caller]));
    }

    [Fact]
    public void ACalleeNeededAtStartThatTheVariantDoesNotDeployIsAnError()
    {
        var caller = Made("gamma", 0, 0, StoreCall.Tcp("missing", 5672).AtStart("needs it"));

        var error = Assert.Throws<InvalidOperationException>(() => StartupWaits.For(caller, [caller]));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANeedAtStartIsNoPartOfWhatACallIsSoTheAllowListIgnoresIt()
    {
        Assert.Equal(StoreCall.Tcp("rabbitmq", 5672), StoreCall.Tcp("rabbitmq", 5672).AtStart("x"));
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void EveryWaitRunsAsTheSidecarsUidSoItBypassesClassicAndNativeProxies(string variant)
    {
        var waits = StoreManifestTests.PodTemplates(StoreManifestTests.Store(variant)).SelectMany(p => p.Template.Spec.InitContainers ?? []).ToList();

        Assert.NotEmpty(waits);
        Assert.All(waits, w =>
        {
            Assert.Equal(1337, w.SecurityContext.RunAsUser);
            Assert.Equal(true, w.SecurityContext.RunAsNonRoot);
            Assert.Equal(false, w.SecurityContext.AllowPrivilegeEscalation);
            Assert.Equal(true, w.SecurityContext.ReadOnlyRootFilesystem);
            Assert.Equal(["ALL"], w.SecurityContext.Capabilities.Drop);
            Assert.Equal("mcr.microsoft.com/azurelinux/busybox:1.36", w.Image);
            Assert.Equal(["sh", "-c"], w.Command.Take(2));
        });
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void EveryWaitProbesAServiceOfItsVariantOnOneOfItsPorts(string variant)
    {
        var store = StoreManifestTests.Store(variant);
        var services = store.OfType<V1Service>().ToDictionary(s => s.Metadata.Name, s => s.Spec.Ports.Select(p => p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
        var waits = StoreManifestTests.PodTemplates(store).SelectMany(p => p.Template.Spec.InitContainers ?? []).ToList();

        Assert.All(waits, w =>
        {
            var callee = w.Env.Single(e => e.Name == "CALLEE").Value;
            Assert.Equal($"wait-for-{callee}", w.Name);
            Assert.Contains(w.Env.Single(e => e.Name == "PORT").Value, services[callee]);
        });
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void EveryImageComesFromARegistryWithoutAnonymousPullLimits(string variant)
    {
        var images = StoreManifestTests.PodTemplates(StoreManifestTests.Store(variant))
            .SelectMany(p => p.Template.Spec.Containers.Concat(p.Template.Spec.InitContainers ?? [])).Select(c => c.Image).ToList();

        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.True(
            image.StartsWith("mcr.microsoft.com/", StringComparison.Ordinal) || image.StartsWith("ghcr.io/", StringComparison.Ordinal),
            $"{image} is not from MCR or GHCR (an image without a registry host comes from Docker Hub)"));
    }

    /// <summary>The registries the rendered objects may pull from: none of them Docker Hub, whose anonymous pulls are limited.</summary>
    private static readonly string[] RegistriesWithoutDockerHubLimits = ["mcr.microsoft.com/", "ghcr.io/", "quay.io/"];

    [Theory]
    [InlineData("all-in-one", "off")]
    [InlineData("quickstart", "off")]
    [InlineData("all-in-one", "self-signed")]
    public void NoObjectOfTheRenderPullsFromDockerHub(string variant, string https)
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:storeVariant"] = variant,
            ["istio-lab:https"] = https,
            ["istio-lab:authorization"] = "allow-list",
            ["istio-lab:egress"] = "allow-list",
            ["istio-lab:canaryWeight"] = "20",
            ["istio-lab:userAuth"] = "lab-issuer",
        });
        var images = Rendering.LabManifest.Build(settings, "asm-1-30", "password", "20.1.2.3")
            .Select(o => o switch
            {
                V1Job job => job.Spec.Template.Spec,
                V1Deployment d => d.Spec.Template.Spec,
                V1StatefulSet s => s.Spec.Template.Spec,
                _ => null,
            })
            .OfType<V1PodSpec>()
            .SelectMany(p => p.Containers.Concat(p.InitContainers ?? []))
            .Select(c => c.Image)
            .Distinct()
            .ToList();

        Assert.Contains(ScriptJob.Image, images);
        Assert.All(images, image => Assert.True(
            RegistriesWithoutDockerHubLimits.Any(r => image.StartsWith(r, StringComparison.Ordinal)),
            $"{image} does not name one of {string.Join(", ", RegistriesWithoutDockerHubLimits)} (an image without a registry host comes from Docker Hub)"));
    }

    [Fact]
    public void MongoDbIsProbedByTcpConnectsThatItsCpuLimitCannotTimeOut()
    {
        var container = StoreManifestTests.PodTemplates(StoreManifestTests.Store()).Single(p => p.Name == "mongodb").Template.Spec.Containers.Single();
        V1Probe[] probes = [container.StartupProbe, container.ReadinessProbe, container.LivenessProbe];

        Assert.All(probes, p =>
        {
            Assert.Null(p.Exec);
            Assert.Equal("27017", p.TcpSocket.Port.Value);
        });
        Assert.Equal("25m", container.Resources.Limits["cpu"].ToString());
        Assert.True(container.StartupProbe.PeriodSeconds * container.StartupProbe.FailureThreshold >= 300, "a start slowed by the 25m limit has five minutes before liveness counts");
        Assert.Equal((30, 10, 3), (container.LivenessProbe.InitialDelaySeconds, container.LivenessProbe.PeriodSeconds, container.LivenessProbe.FailureThreshold));
        Assert.Equal((5, 5, 3), (container.ReadinessProbe.InitialDelaySeconds, container.ReadinessProbe.PeriodSeconds, container.ReadinessProbe.FailureThreshold));
    }

    /// <summary>Runs a wait's real command under /bin/sh with a fake <c>nc</c> that plays <paramref name="plan"/> (exit|output, last repeats).</summary>
    private (int Exit, string Output, IReadOnlyList<string> Calls) RunWait(V1Container wait, bool withNc, params string[] plan)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the waits run under /bin/sh, as in their Linux containers");
        }

        var bin = Path.Combine(dir, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllLines(Path.Combine(dir, "plan"), plan);
        File.WriteAllText(Path.Combine(dir, "count"), "0");
        if (withNc)
        {
            var fake = Path.Combine(bin, "nc");
            File.WriteAllText(fake, """
                #!/bin/sh
                echo "$*" >> "$FAKE_DIR/nc.log"
                n=$(( $(cat "$FAKE_DIR/count") + 1 )); echo "$n" > "$FAKE_DIR/count"
                total=$(wc -l < "$FAKE_DIR/plan")
                [ "$n" -gt "$total" ] && n=$total
                line=$(sed -n "${n}p" "$FAKE_DIR/plan")
                printf '%b' "${line#*|}" >&2
                exit "${line%%|*}"
                """.Replace("\r", "", StringComparison.Ordinal));
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Only the tools the script needs besides nc, so that a missing nc is really missing.
        foreach (var tool in new[] { "sleep", "cat", "wc", "sed", "tr" })
        {
            var target = Path.Combine(bin, tool);
            if (!File.Exists(target))
            {
                File.CreateSymbolicLink(target, FindOnPath(tool));
            }
        }

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in wait.Command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var env in wait.Env)
        {
            start.Environment[env.Name] = env.Value;
        }

        start.Environment["INTERVAL_SECONDS"] = "0";
        start.Environment["FAKE_DIR"] = dir;
        start.Environment["PATH"] = bin;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        var log = Path.Combine(dir, "nc.log");
        return (process.ExitCode, output, File.Exists(log) ? File.ReadAllLines(log) : []);
    }

    private static string FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, tool)).First(File.Exists);

    private static V1Container VirtualWorkerWait() =>
        Assert.Single(StoreManifestTests.PodTemplates(StoreManifestTests.Store()).Single(p => p.Name == "virtual-worker").Template.Spec.InitContainers);

    [Fact]
    public void TheWaitRetriesARefusalAndATimeoutAndEndsWhenTheServiceAcceptsAConnection()
    {
        var (exit, output, calls) = RunWait(VirtualWorkerWait(), withNc: true,
            "1|nc: can't connect to remote host (10.0.0.12): Connection refused", "1|nc: timed out", "0|");

        Assert.Equal(0, exit);
        Assert.Equal(["-z -w 2 makeline-service 3001", "-z -w 2 makeline-service 3001", "-z -w 2 makeline-service 3001"], calls);
        Assert.Contains("wait-for-makeline-service: makeline-service:3001 accepted a connection: makeline-service is ready", output, StringComparison.Ordinal);
        Assert.Contains("virtual-worker starts once makeline-service:3001 accepts a connection, because src/virtual-worker/src/main.rs", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnNcThatDoesNotKnowItsOptionsFailsLoudlyInsteadOfWaitingForever()
    {
        var (exit, output, calls) = RunWait(VirtualWorkerWait(), withNc: true, "1|nc: invalid option -- 'z'\\nUsage: nc [OPTIONS] HOST PORT");

        Assert.Equal(1, exit);
        Assert.Single(calls);
        Assert.StartsWith("FAIL wait-for-makeline-service: this image's nc cannot probe makeline-service:3001 (exit 1:", output.Trim().Split('\n').Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnImageWithoutNcFailsLoudlyInsteadOfWaitingForever()
    {
        var (exit, output, _) = RunWait(VirtualWorkerWait(), withNc: false, "0|");

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL wait-for-makeline-service: this image's nc cannot probe makeline-service:3001 (exit 127:", output.Trim().Split('\n').Last(), StringComparison.Ordinal);
    }
}
