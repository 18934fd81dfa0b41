using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The bounded wait for the gateway's public IP: least privilege, no sidecar, and a script that passes only on an IP.</summary>
public sealed class IngressAddressWaitTests : IDisposable
{
    private readonly CheckScriptRunner runner = new();

    public void Dispose() => runner.Dispose();

    private static IReadOnlyList<k8s.IKubernetesObject<V1ObjectMeta>> Objects => IngressAddressWait.Build(LabSettings.Defaults);

    private (int Exit, string Output, IReadOnlyList<string> Calls) Run(params string[] plan) => Run(IngressAddressWait.Job(LabSettings.Defaults), plan);

    /// <summary>Runs <paramref name="job"/>'s script with a token file of its own, against the fake API answers of <paramref name="plan"/>.</summary>
    private (int Exit, string Output, IReadOnlyList<string> Calls) Run(V1Job job, params string[] plan)
    {
        var tokenDir = Directory.CreateTempSubdirectory("istio-lab-token-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tokenDir, "token"), "sa-token");
            return runner.RunWith(job, new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, plan);
        }
        finally
        {
            Directory.Delete(tokenDir, recursive: true);
        }
    }

    [Fact]
    public void TheWaitMayReadTheGatewayServiceAndNothingElse()
    {
        var role = Assert.Single(Objects.OfType<V1Role>());
        var rule = Assert.Single(role.Rules);

        Assert.Equal("aks-istio-ingress", role.Metadata.NamespaceProperty);
        Assert.Equal(["services"], rule.Resources);
        Assert.Equal(["aks-istio-ingressgateway-external"], rule.ResourceNames);
        Assert.Equal(["get"], rule.Verbs);
        var binding = Assert.Single(Objects.OfType<V1RoleBinding>());
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", IngressAddressWait.Name, "pets"), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    [Fact]
    public void TheWaitRunsWithoutASidecarUnderItsOwnServiceAccount()
    {
        var job = IngressAddressWait.Job(LabSettings.Defaults);
        var pod = job.Spec.Template;

        Assert.Equal("pets", job.Metadata.NamespaceProperty);
        Assert.Equal("false", pod.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal(IngressAddressWait.Name, pod.Spec.ServiceAccountName);
        Assert.True(pod.Spec.AutomountServiceAccountToken);
        Assert.False(Assert.Single(Objects.OfType<V1ServiceAccount>()).AutomountServiceAccountToken);
        Assert.True(pod.Spec.Containers.Single().SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public void TheWaitAsksTheInClusterApiWithThePodsOwnToken()
    {
        // Kubernetes' published in-cluster address of the API server, and where it mounts a pod's service account token.
        var env = Assert.Single(IngressAddressWait.Job(LabSettings.Defaults).Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal("https://kubernetes.default.svc", env["API_SERVER"]);
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", env["TOKEN_DIR"]);
        Assert.Equal(("aks-istio-ingress", "aks-istio-ingressgateway-external"), (env["SERVICE_NAMESPACE"], env["SERVICE_NAME"]));
        Assert.Equal(("36", "5", "5"), (env["ATTEMPTS"], env["INTERVAL_SECONDS"], env["TIMEOUT_SECONDS"]));
        Assert.Equal(IngressAddressWait.NoAddressMessage, env["NO_ADDRESS"]);
        Assert.False(env.ContainsKey("EXPECT_IP"));
    }

    [Fact]
    public void TheWaitsObjectsAreNamedAndLabelledAsTheLabsReadinessObjects()
    {
        var expected = new Dictionary<string, string>
        {
            ["app"] = "wait-for-ingress-ip",
            ["app.kubernetes.io/name"] = "wait-for-ingress-ip",
            ["app.kubernetes.io/version"] = "1",
            ["app.kubernetes.io/component"] = "mesh-readiness",
            ["app.kubernetes.io/part-of"] = "istio-lab",
            ["app.kubernetes.io/managed-by"] = "istio-lab",
        };

        Assert.All(Objects, o => Assert.Equal(expected, o.Metadata.Labels));
        Assert.Equal(expected, IngressAddressWait.Job(LabSettings.Defaults).Metadata.Labels);
        Assert.Equal(
            ["ServiceAccount pets/wait-for-ingress-ip", "Role aks-istio-ingress/istio-lab-ingress-ip-reader", "RoleBinding aks-istio-ingress/istio-lab-ingress-ip-reader-pets", "Job pets/wait-for-ingress-ip"],
            Objects.Select(o => $"{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}"));
        // The core API group, the one Services belong to, is the empty string.
        Assert.Equal([""], Assert.Single(Assert.Single(Objects.OfType<V1Role>()).Rules).ApiGroups);
    }

    [Fact]
    public void TheStaticAddressWaitExpectsTheLabsIpUnderTheSameReadOnlyAccount()
    {
        var job = IngressAddressWait.StaticAddressJob(LabSettings.Defaults, "20.1.2.3");
        var env = Assert.Single(job.Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal(("pets", "wait-for-static-ingress-ip"), (job.Metadata.NamespaceProperty, job.Metadata.Name));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["app"] = "wait-for-static-ingress-ip",
                ["app.kubernetes.io/name"] = "wait-for-static-ingress-ip",
                ["app.kubernetes.io/version"] = "1",
                ["app.kubernetes.io/component"] = "mesh-readiness",
                ["app.kubernetes.io/part-of"] = "istio-lab",
                ["app.kubernetes.io/managed-by"] = "istio-lab",
            },
            job.Metadata.Labels);
        Assert.Equal("wait-for-ingress-ip", job.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal("20.1.2.3", env["EXPECT_IP"]);
        Assert.Equal(IngressAddressWait.StaticAddressMessage, env["NO_ADDRESS"]);
        Assert.Equal("https://kubernetes.default.svc", env["API_SERVER"]);
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal(420, job.Spec.ActiveDeadlineSeconds);
    }

    [Fact]
    public void TheStaticAddressWaitPassesOnlyOnceTheServiceUsesTheLabsIp()
    {
        var job = IngressAddressWait.StaticAddressJob(LabSettings.Defaults, "20.1.2.3");
        const string Old = "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"20.50.60.70\"}]}}}";
        const string New = "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"20.1.2.3\"}]}}}";

        var (exit, output, _) = Run(job, Old, New);
        Assert.Equal(0, exit);
        Assert.Equal("PASS static-ip: aks-istio-ingress/aks-istio-ingressgateway-external uses the static IP 20.1.2.3", output.Trim());

        (exit, output, _) = Run(job, Old);
        Assert.Equal(1, exit);
        Assert.Equal(
            "FAIL static-ip: after 4 attempts (last curl exit 0, IP '20.50.60.70', expected '20.1.2.3'): " + IngressAddressWait.StaticAddressMessage,
            Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void TheWaitsMessagesNameTheGatewayServiceAndWhatToDo()
    {
        Assert.Equal(
            "The add-on's ingress gateway Service aks-istio-ingress/aks-istio-ingressgateway-external has no public IP yet; " +
            "its Azure load balancer may still be provisioning. Run `pulumi up` again in a minute.",
            IngressAddressWait.NoAddressMessage);
        Assert.StartsWith("The add-on's ingress gateway Service aks-istio-ingress/aks-istio-ingressgateway-external does not use the lab's static IP. ", IngressAddressWait.StaticAddressMessage, StringComparison.Ordinal);
        Assert.Contains("Network Contributor on the IP's resource group", IngressAddressWait.StaticAddressMessage, StringComparison.Ordinal);
        Assert.EndsWith("`kubectl describe svc -n aks-istio-ingress aks-istio-ingressgateway-external` for the load balancer's events.", IngressAddressWait.StaticAddressMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingArgumentsAreRefusedByName()
    {
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => IngressAddressWait.Build(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => IngressAddressWait.Job(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => IngressAddressWait.StaticAddressJob(null!, "20.1.2.3")).ParamName);
        Assert.Equal("expectedIp", Assert.Throws<ArgumentException>(() => IngressAddressWait.StaticAddressJob(LabSettings.Defaults, "")).ParamName);
        Assert.Equal("expectedIp", Assert.Throws<ArgumentNullException>(() => IngressAddressWait.StaticAddressJob(LabSettings.Defaults, null!)).ParamName);
    }

    [Fact]
    public void TheWaitIsBoundedByItsDeadline()
    {
        var job = IngressAddressWait.Job(LabSettings.Defaults);

        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.True(IngressAddressWait.Attempts * (IngressAddressWait.IntervalSeconds + IngressAddressWait.RequestTimeoutSeconds) < job.Spec.ActiveDeadlineSeconds);
        Assert.True(job.Spec.ActiveDeadlineSeconds <= 600, "a few minutes, then a clear error");
    }

    [Theory]
    [InlineData("0|{\"status\": {\"loadBalancer\": {\"ingress\": [{\"ip\": \"20.50.60.70\", \"ipMode\": \"VIP\"}]}}}")]
    [InlineData("0|{\"status\":{\"loadBalancer\":{}}}", "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"20.50.60.70\"}]}}}")]
    [InlineData("0|{\"kind\":\"Status\",\"code\":404}", "28|", "0|{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"20.50.60.70\"}]}}}")]
    public void TheWaitPassesOnceTheServiceHasAPublicIp(params string[] plan)
    {
        var (exit, output, calls) = Run(plan);

        Assert.Equal(0, exit);
        Assert.Equal("PASS ingress-ip: aks-istio-ingress/aks-istio-ingressgateway-external has the public IP 20.50.60.70", output.Trim());
        Assert.All(calls, c => Assert.Contains("Authorization: Bearer sa-token", c, StringComparison.Ordinal));
        Assert.All(calls, c => Assert.EndsWith("/api/v1/namespaces/aks-istio-ingress/services/aks-istio-ingressgateway-external", c, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0|{\"spec\":{\"clusterIP\":\"10.0.12.1\"},\"status\":{\"loadBalancer\":{}}}")]
    [InlineData("0|{\"kind\":\"Status\",\"reason\":\"Forbidden\",\"code\":403}")]
    [InlineData("7|")]
    public void TheWaitFailsWithTheClearMessageWhenNoIpComes(params string[] plan)
    {
        var (exit, output, calls) = Run(plan);

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^FAIL ingress-ip: after 4 attempts \(last curl exit [0-9]+\): ", line);
        Assert.EndsWith(IngressAddressWait.NoAddressMessage, line, StringComparison.Ordinal);
        Assert.Equal(4, calls.Count);
    }
}
