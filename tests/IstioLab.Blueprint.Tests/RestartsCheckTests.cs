using System.Diagnostics;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The restarts check: least privilege in the store's namespace, a bounded Job, and a script that reads the pod list
/// the Kubernetes API answers and prints one PASS/FAIL line per property (run under /bin/sh against a fake curl).
/// </summary>
public sealed class RestartsCheckTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("istio-lab-restarts-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static LabSettings Settings(string variant = "all-in-one") => StoreManifestTests.Settings(variant);

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(string variant = "all-in-one") =>
        LabManifest.RestartsObjects(Settings(variant), "asm-1-27", "20.50.60.70");

    private static V1Job Job(string variant = "all-in-one") => Assert.Single(Objects(variant).OfType<V1Job>());

    private static readonly string[] AllInOne =
        ["mongodb", "rabbitmq", "order-service", "makeline-service", "product-service", "store-front", "store-admin", "virtual-customer", "virtual-worker"];

    [Fact]
    public void TheCheckMayOnlyListThePodsOfTheStoresNamespace()
    {
        var objects = Objects();
        var role = Assert.Single(objects.OfType<V1Role>());
        var rule = Assert.Single(role.Rules);

        Assert.Equal("pets", role.Metadata.NamespaceProperty);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["list"], rule.Verbs);
        Assert.Null(rule.ResourceNames);
        Assert.DoesNotContain(objects, o => o is V1ClusterRole or V1ClusterRoleBinding);
        var binding = Assert.Single(objects.OfType<V1RoleBinding>());
        Assert.Equal("pets", binding.Metadata.NamespaceProperty);
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "check-restarts", "pets"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.False(Assert.Single(objects.OfType<V1ServiceAccount>()).AutomountServiceAccountToken);
    }

    [Fact]
    public void TheCheckIsABoundedJobOutsideTheMeshThatMountsOnlyItsOwnToken()
    {
        var job = Job();
        var pod = job.Spec.Template;

        Assert.StartsWith("check-restarts-", job.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("pets", job.Metadata.NamespaceProperty);
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.InRange(job.Spec.ActiveDeadlineSeconds!.Value, 60, 600);
        Assert.Equal("false", pod.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal("check-restarts", pod.Spec.ServiceAccountName);
        Assert.True(pod.Spec.AutomountServiceAccountToken);
        Assert.Equal("https://kubernetes.default.svc/api/v1/namespaces/pets/pods?pretty=false", pod.Spec.Containers.Single().Env.Single(e => e.Name == "TARGET_URL").Value);
        Assert.Equal(RestartsCheck.Definition.Proves, pod.Metadata.Annotations["istio-lab/proves"]);
    }

    [Fact]
    public void TheJobIsCreatedOnlyAfterItsAccountAndBinding()
    {
        Assert.Equal(
            "/namespaces/pets/ServiceAccount/check-restarts,rbac.authorization.k8s.io/namespaces/pets/RoleBinding/check-restarts",
            Job().Metadata.Annotations["config.kubernetes.io/depends-on"]);
    }

    [Fact]
    public void TheCheckRunsAgainWhenTheChecksItFollowsChange()
    {
        var before = LabManifest.RestartsObjects(Settings(), "asm-1-27", "20.50.60.70").OfType<V1Job>().Single().Metadata.Name;
        var again = LabManifest.RestartsObjects(Settings(), "asm-1-27", "20.50.60.70").OfType<V1Job>().Single().Metadata.Name;
        var newIp = LabManifest.RestartsObjects(Settings(), "asm-1-27", "20.50.60.71").OfType<V1Job>().Single().Metadata.Name;

        Assert.Equal(before, again);
        Assert.NotEqual(before, newIp);
    }

    [Fact]
    public void TheRenderHoldsTheCheckAfterTheOtherChecksOnlyWhenChecksAreOn()
    {
        var on = LabManifest.Build(Settings(), "asm-1-27", "pw", "20.50.60.70");
        var off = LabManifest.Build(LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:checks"] = "false" }), "asm-1-27", "pw", "20.50.60.70");
        var jobs = on.OfType<V1Job>().Select(j => j.Metadata.Name).ToList();

        Assert.StartsWith("check-restarts-", jobs[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(off, o => o.Metadata.Name.StartsWith("check-restarts", StringComparison.Ordinal) || o.Metadata.Name == RestartsCheck.RoleName);
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheCheckExpectsEveryWorkloadOfItsVariantAndKnowsTheSimulators(string variant)
    {
        var env = Job(variant).Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal(variant == "all-in-one" ? string.Join(' ', AllInOne) : "rabbitmq order-service product-service store-front", env["WORKLOADS"]);
        Assert.Equal(variant == "all-in-one" ? "virtual-customer virtual-worker" : "", env["SIMULATORS"]);
    }

    // --- the script, against the API's answers -------------------------------------------------------------------

    private static V1ContainerStatus Status(string name, int restarts = 0, string? reason = null, int exitCode = 0) => new()
    {
        Name = name,
        Ready = true,
        RestartCount = restarts,
        Image = "image",
        ImageID = "image-id",
        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = new DateTime(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc) } },
        LastState = reason is null ? new V1ContainerState() : new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated { Reason = reason, ExitCode = exitCode, Message = "a \"quoted\" message, with {braces} and [brackets]:" },
        },
    };

    /// <summary>A store pod as the API lists it: its app container, and (classic sidecar) istio-proxy, plus its init containers.</summary>
    private static V1Pod Pod(string app, V1ContainerStatus? main = null, V1ContainerStatus? proxy = null, params V1ContainerStatus[] init) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"{app}-7d9f8c-x2v4q",
            NamespaceProperty = "pets",
            Labels = new Dictionary<string, string> { ["app"] = app, ["app.kubernetes.io/name"] = app },
            Annotations = new Dictionary<string, string> { ["proxy.istio.io/config"] = """{"holdApplicationUntilProxyStarts":true}""", ["odd"] = "ends with a backslash \\" },
        },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container { Name = app, Image = "image", Env = [new V1EnvVar { Name = "name", Value = "restartCount" }] },
                new V1Container { Name = "istio-proxy", Image = "proxy" },
            ],
        },
        Status = new V1PodStatus
        {
            Phase = "Running",
            ContainerStatuses = [main ?? Status(app), proxy ?? Status("istio-proxy")],
            InitContainerStatuses = init.Length > 0 ? [.. init] : [Status("istio-init")],
        },
    };

    private static string List(params V1Pod[] pods) =>
        KubernetesJson.Serialize(new V1PodList { ApiVersion = "v1", Kind = "PodList", Metadata = new V1ListMeta { ResourceVersion = "42" }, Items = [.. pods] });

    private static V1Pod[] Healthy(params string[] except) =>
        [.. AllInOne.Where(a => !except.Contains(a)).Select(a => Pod(a))];

    /// <summary>Runs the Job's script with a fake curl that answers <paramref name="answers"/> in turn (exit code, body), the last repeating.</summary>
    private (int Exit, string Output, int Calls) Run(V1Job job, params (int Exit, string Body)[] answers)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the check runs under /bin/sh, as in its Linux container");
        }

        for (var i = 0; i < answers.Length; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"body.{i + 1}"), answers[i].Body);
            File.WriteAllText(Path.Combine(dir, $"rc.{i + 1}"), answers[i].Exit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        File.WriteAllText(Path.Combine(dir, "count"), "0");
        File.WriteAllText(Path.Combine(dir, "token"), "sa-token");
        var fake = Path.Combine(dir, "curl");
        File.WriteAllText(fake, $$"""
            #!/bin/sh
            echo "$*" >> "$FAKE_DIR/curl.log"
            n=$(( $(cat "$FAKE_DIR/count") + 1 )); echo "$n" > "$FAKE_DIR/count"
            [ "$n" -gt {{answers.Length}} ] && n={{answers.Length}}
            cat "$FAKE_DIR/body.$n"
            exit "$(cat "$FAKE_DIR/rc.$n")"
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var container = job.Spec.Template.Spec.Containers.Single();
        var start = new ProcessStartInfo(container.Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in container.Command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var env in container.Env)
        {
            start.Environment[env.Name] = env.Value;
        }

        start.Environment["ATTEMPTS"] = "3";
        start.Environment["INTERVAL_SECONDS"] = "0";
        start.Environment["TOKEN_DIR"] = dir;
        start.Environment["FAKE_DIR"] = dir;
        start.Environment["PATH"] = dir + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        var calls = File.ReadAllLines(Path.Combine(dir, "curl.log"));
        Assert.All(calls, c => Assert.Contains("Authorization: Bearer sa-token", c, StringComparison.Ordinal));
        return (process.ExitCode, output.Trim(), calls.Length);
    }

    [Fact]
    public void AllZeroPassesBothProperties()
    {
        var (exit, output, calls) = Run(Job(), (0, List(Healthy())));

        Assert.Equal(0, exit);
        Assert.Equal(1, calls);
        Assert.Equal(
            [
                "PASS pods: every workload of the store has a pod in pets (9 pods: " + string.Join(' ', AllInOne) + ")",
                "PASS restarts: all 27 containers of the 9 store pods in pets have restartCount 0 (applications, sidecars and waits)",
            ],
            output.Split('\n'));
    }

    [Fact]
    public void OneRestartFailsNamingThePodTheContainerTheCountAndTheLastTermination()
    {
        var pods = Healthy("makeline-service").Append(Pod("makeline-service", Status("makeline-service", 1, "Error", 1))).ToArray();

        var (exit, output, _) = Run(Job(), (0, List(pods)));

        Assert.Equal(1, exit);
        var lines = output.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("PASS pods:", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("FAIL restarts: pets/makeline-service-7d9f8c-x2v4q container makeline-service restarted 1 times (last terminated: Error, exit code 1); read kubectl describe pod -n pets", lines[1], StringComparison.Ordinal);
        Assert.Contains("kubectl logs -n pets <pod> -c <container> --previous", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("simulator", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ASimulatorsRestartFailsTooAndPointsAtItsCallee()
    {
        var pods = Healthy("virtual-worker").Append(Pod("virtual-worker", Status("virtual-worker", 3, "Error", 1))).ToArray();

        var (exit, output, _) = Run(Job(), (0, List(pods)));

        Assert.Equal(1, exit);
        Assert.Contains("FAIL restarts: pets/virtual-worker-7d9f8c-x2v4q container virtual-worker restarted 3 times (last terminated: Error, exit code 1) (a simulator: it exits when its callee answers an error; look at that callee too)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ARestartedSidecarOrWaitCountsAsMuchAsTheApplication()
    {
        var pods = Healthy("mongodb", "virtual-worker")
            .Append(Pod("mongodb", proxy: Status("istio-proxy", 2, "OOMKilled", 137)))
            .Append(Pod("virtual-worker", null, null, Status("istio-init"), Status("wait-for-makeline-service", 1, "Error", 1)))
            .ToArray();

        var (exit, output, _) = Run(Job(), (0, List(pods)));

        Assert.Equal(1, exit);
        var fail = output.Split('\n')[1];
        Assert.Contains("pets/mongodb-7d9f8c-x2v4q container istio-proxy restarted 2 times (last terminated: OOMKilled, exit code 137)", fail, StringComparison.Ordinal);
        Assert.Contains("; pets/virtual-worker-7d9f8c-x2v4q container wait-for-makeline-service restarted 1 times (last terminated: Error, exit code 1)", fail, StringComparison.Ordinal);
    }

    [Fact]
    public void NoPodsFailsBothPropertiesRatherThanPassingOnNothing()
    {
        var (exit, output, _) = Run(Job(), (0, List()));

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "FAIL pods: no pod of " + string.Join(' ', AllInOne) + " in pets (0 store pods found); kubectl get pods -n pets",
                "FAIL restarts: there is no store container in pets to inspect",
            ],
            output.Split('\n'));
    }

    [Fact]
    public void AMissingWorkloadFailsThePodsProperty()
    {
        var (exit, output, _) = Run(Job(), (0, List(Healthy("store-admin"))));

        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL pods: no pod of store-admin in pets (8 store pods found)", output, StringComparison.Ordinal);
        Assert.EndsWith("PASS restarts: all 24 containers of the 8 store pods in pets have restartCount 0 (applications, sidecars and waits)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PodsThatAreNotTheStoresAreIgnored()
    {
        var check = Pod("check-inside", Status("check-inside", 4, "Error", 1));

        var (exit, output, _) = Run(Job(), (0, List([.. Healthy(), check])));

        Assert.Equal(0, exit);
        Assert.EndsWith("have restartCount 0 (applications, sidecars and waits)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedListIsRetriedAndThenFailsSayingWhy()
    {
        const string Forbidden = """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden","reason":"Forbidden","code":403}""";

        var (exit, output, calls) = Run(Job(), (0, Forbidden));

        Assert.Equal(1, exit);
        Assert.Equal(3, calls);
        Assert.StartsWith("FAIL pods: could not list the pods of pets after 3 attempts (curl exit 0: {\"kind\":\"Status\"", output, StringComparison.Ordinal);
        Assert.Contains("is pets/check-restarts bound to a Role that may list pods?", output, StringComparison.Ordinal);
        Assert.EndsWith("FAIL restarts: no pod of pets could be inspected", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AListThatComesOnTheSecondTryPasses()
    {
        var (exit, output, calls) = Run(Job(), (7, ""), (0, List(Healthy())));

        Assert.Equal(0, exit);
        Assert.Equal(2, calls);
        Assert.StartsWith("PASS pods:", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The API server's own layout (fields in Go's order, pretty-printed as it does for curl without <c>pretty=false</c>),
    /// with strings that hold quotes, braces and a trailing backslash: only structure outside strings counts.
    /// </summary>
    [Fact]
    public void TheParserReadsTheApiServersLayoutAndIsNotFooledByStrings()
    {
        const string Body = """
            {
              "kind": "PodList",
              "apiVersion": "v1",
              "metadata": {"resourceVersion": "42"},
              "items": [
                {
                  "metadata": {
                    "name": "rabbitmq-0",
                    "namespace": "pets",
                    "labels": {"app": "rabbitmq", "note": "app"},
                    "annotations": {"proxy.istio.io/config": "{\"holdApplicationUntilProxyStarts\":true}", "path": "C:\\", "x": "\"restartCount\": 9, }]"}
                  },
                  "spec": {"containers": [{"name": "rabbitmq", "env": [{"name": "restartCount", "value": "7"}]}]},
                  "status": {
                    "phase": "Running",
                    "initContainerStatuses": [
                      {"name": "istio-proxy", "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "message": "killed: \"oom\" {x}"}}, "ready": true, "restartCount": 1, "image": "proxy", "started": true}
                    ],
                    "containerStatuses": [
                      {"name": "rabbitmq", "state": {"running": {"startedAt": "2026-12-05T10:00:00Z"}}, "lastState": {}, "ready": true, "restartCount": 0, "image": "mcr.microsoft.com/azurelinux/base/rabbitmq-server:3.13", "volumeMounts": [{"name": "rabbitmq-enabled-plugins", "mountPath": "/etc/rabbitmq/enabled_plugins"}]}
                    ]
                  }
                }
              ]
            }
            """;

        var (exit, output, _) = Run(Job("quickstart"), (0, Body));

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "FAIL pods: no pod of order-service product-service store-front in pets (1 store pods found); kubectl get pods -n pets",
                "FAIL restarts: pets/rabbitmq-0 container istio-proxy restarted 1 times (last terminated: OOMKilled, exit code 137); read kubectl describe pod -n pets <pod> (Last State, Events) and kubectl logs -n pets <pod> -c <container> --previous",
            ],
            output.Split('\n'));
    }
}
