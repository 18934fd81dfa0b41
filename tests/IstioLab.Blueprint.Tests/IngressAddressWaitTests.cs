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

    private (int Exit, string Output, IReadOnlyList<string> Calls) Run(params string[] plan)
    {
        var tokenDir = Directory.CreateTempSubdirectory("istio-lab-token-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tokenDir, "token"), "sa-token");
            return runner.RunWith(IngressAddressWait.Job(LabSettings.Defaults), new Dictionary<string, string> { ["TOKEN_DIR"] = tokenDir }, plan);
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
        Assert.StartsWith("FAIL ingress-ip: after 4 attempts", line, StringComparison.Ordinal);
        Assert.EndsWith(IngressAddressWait.NoAddressMessage, line, StringComparison.Ordinal);
        Assert.Equal(4, calls.Count);
    }
}
