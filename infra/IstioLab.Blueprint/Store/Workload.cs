using k8s.Models;

namespace IstioLab.Blueprint.Store;

/// <summary>How a workload runs: the store's databases are StatefulSets, everything else a Deployment.</summary>
public enum WorkloadKind
{
    Deployment,
    StatefulSet,
}

/// <summary>
/// A port, named for Istio's protocol selection (pitfall 12): the container port and Service port carry
/// <c>&lt;protocol&gt;[-suffix]</c> and the Service port also sets <c>appProtocol</c>, so nothing is left to sniffing.
/// </summary>
/// <param name="Protocol">Istio protocol: <c>http</c> or <c>tcp</c>.</param>
/// <param name="Suffix">What the port is for, appended to the protocol; empty for a workload's only HTTP port.</param>
/// <param name="ContainerPort">Where the container listens.</param>
/// <param name="ServicePort">Where the Service listens; the same as the container port unless the workload is fronted on 80.</param>
public sealed record PortSpec(string Protocol, string Suffix, int ContainerPort, int ServicePort)
{
    public string Name => Suffix.Length == 0 ? Protocol : $"{Protocol}-{Suffix}";
}

/// <summary>CPU and memory, in Kubernetes quantity notation.</summary>
public sealed record Compute(string Cpu, string Memory);

/// <summary>One probe, with the timings the upstream manifest gives (null: Kubernetes' default).</summary>
public sealed record ProbeSpec(ProbeAction Action, int? InitialDelaySeconds, int PeriodSeconds, int FailureThreshold, int? TimeoutSeconds = null);

/// <summary>What a probe does: an HTTP GET, a TCP connect, or a command.</summary>
public abstract record ProbeAction
{
    public sealed record HttpGet(string Path, int Port) : ProbeAction;

    public sealed record TcpSocket(int Port) : ProbeAction;

    public sealed record Exec(IReadOnlyList<string> Command) : ProbeAction;
}

/// <summary>
/// One AKS Store Demo workload as facts (release 2.1.0): enough to build its pod, its Service and its
/// configuration, and nothing about Kubernetes object layout, which <see cref="StoreManifest"/> owns.
/// </summary>
public sealed record Workload
{
    public required string Name { get; init; }
    public required WorkloadKind Kind { get; init; }
    public required string Image { get; init; }

    /// <summary>The version label value: the image tag.</summary>
    public string Version => Image[(Image.LastIndexOf(':') + 1)..];

    /// <summary>The recommended <c>app.kubernetes.io/component</c> label.</summary>
    public required string Component { get; init; }

    public IReadOnlyList<PortSpec> Ports { get; init; } = [];
    public required Compute Requests { get; init; }
    public required Compute Limits { get; init; }
    public ProbeSpec? Startup { get; init; }
    public ProbeSpec? Readiness { get; init; }
    public ProbeSpec? Liveness { get; init; }

    /// <summary>Literal environment values (never credentials).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>Environment variables read from the RabbitMQ credentials Secret: variable name to Secret key.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RabbitMqCredentials { get; init; } = [];

    /// <summary>ConfigMaps this workload owns: name to its data.</summary>
    public IReadOnlyList<ConfigMapSpec> ConfigMaps { get; init; } = [];

    public IReadOnlyList<V1EnvFromSource> EnvFrom { get; init; } = [];
    public IReadOnlyList<V1Volume> Volumes { get; init; } = [];
    public IReadOnlyList<V1VolumeMount> VolumeMounts { get; init; } = [];
    public IReadOnlyList<V1Container> InitContainers { get; init; } = [];

    /// <summary>Whom this workload calls: the only calls the allow-list grants it.</summary>
    public IReadOnlyList<StoreCall> Calls { get; init; } = [];

    /// <summary>Whether other workloads or the gateway reach this one through a Service.</summary>
    public bool HasService => Ports.Count > 0;
}

/// <summary>A ConfigMap a workload reads: its name and data.</summary>
public sealed record ConfigMapSpec(string Name, IReadOnlyList<KeyValuePair<string, string>> Data);
