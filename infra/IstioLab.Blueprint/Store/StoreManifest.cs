using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Store;

/// <summary>
/// Builds the store's Kubernetes objects from the settings: ConfigMaps, Services, StatefulSets and
/// Deployments, all in the application namespace. The rules that make the store mesh-safe live here once,
/// for every workload: ClusterIP Services only, named and typed ports, the proxy started before the app,
/// credentials only from the one Secret.
/// </summary>
public static class StoreManifest
{
    /// <summary>The store's objects in a stable order: ConfigMaps, Services, then workloads.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var workloads = StoreCatalog.Workloads(settings.StoreVariant);
        var ns = settings.AppNamespace;

        var configMaps = workloads.SelectMany(w => w.ConfigMaps.Select(c => ConfigMap(c, w, ns)));
        var services = workloads.Where(w => w.HasService).Select(w => Service(w, ns));
        var controllers = workloads.Select(w => Controller(w, settings, StartupWaits.For(w, workloads)));
        return [.. configMaps, .. services, .. controllers];
    }

    /// <summary>
    /// The RabbitMQ credentials Secret, kept apart from <see cref="Build"/> so that the store's YAML holds no
    /// secret: the Pulumi program creates it from a Pulumi secret, the render command from a placeholder.
    /// </summary>
    public static V1Secret RabbitMqSecret(LabSettings settings, string password)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(password);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = Kube.Meta(StoreCatalog.RabbitMqSecretName, settings.AppNamespace, Kube.Labels("rabbitmq", "queue", "3.13")),
            Type = "Opaque",
            StringData = new Dictionary<string, string>
            {
                [StoreCatalog.RabbitMqUsernameKey] = settings.RabbitMqUsername,
                [StoreCatalog.RabbitMqPasswordKey] = password,
            },
        };
    }

    /// <summary>Each workload's own identity: its pods run as the service account named after it.</summary>
    public static string ServiceAccountName(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return workload.Name;
    }

    /// <summary>
    /// One ServiceAccount per workload, so that every workload presents its own mTLS identity (upstream runs them all
    /// as <c>default</c>). No store workload talks to the Kubernetes API, so none gets a token. Kept apart from
    /// <see cref="Build"/> so the Pulumi program can create them before the workloads that use them.
    /// </summary>
    public static IReadOnlyList<V1ServiceAccount> ServiceAccounts(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. StoreCatalog.Workloads(settings.StoreVariant).Select(w => new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = Kube.Meta(ServiceAccountName(w), settings.AppNamespace, Kube.Labels(w.Name, w.Component, w.Version)),
            AutomountServiceAccountToken = false,
        })];
    }

    private static V1ConfigMap ConfigMap(ConfigMapSpec spec, Workload owner, string ns) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Kube.Meta(spec.Name, ns, Kube.Labels(owner.Name, owner.Component, owner.Version)),
        Data = spec.Data.ToDictionary(p => p.Key, p => p.Value),
    };

    /// <summary>Always ClusterIP: the ingress gateway is the only way into the mesh.</summary>
    private static V1Service Service(Workload w, string ns) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Kube.Meta(w.Name, ns, Kube.Labels(w.Name, w.Component, w.Version)),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Kube.Selector(w.Name),
            Ports = [.. w.Ports.Select(p => new V1ServicePort
            {
                Name = p.Name,
                Port = p.ServicePort,
                TargetPort = p.ContainerPort,
                Protocol = "TCP",
                AppProtocol = p.Protocol,
            })],
        },
    };

    internal static IKubernetesObject<V1ObjectMeta> Controller(Workload w, LabSettings settings, IReadOnlyList<StartupWait> waits)
    {
        var labels = Kube.Labels(w.Name, w.Component, w.Version);
        var meta = Kube.Meta(w.Name, settings.AppNamespace, labels);
        var selector = new V1LabelSelector { MatchLabels = Kube.Selector(w.Name) };
        var template = PodTemplate(w, settings, Traffic.TrafficManifest.PodLabels(settings, w, labels), waits);
        return w.Kind switch
        {
            WorkloadKind.StatefulSet => new V1StatefulSet
            {
                ApiVersion = "apps/v1",
                Kind = "StatefulSet",
                Metadata = meta,
                Spec = new V1StatefulSetSpec { ServiceName = w.Name, Replicas = 1, Selector = selector, Template = template },
            },
            WorkloadKind.Deployment => new V1Deployment
            {
                ApiVersion = "apps/v1",
                Kind = "Deployment",
                Metadata = meta,
                Spec = new V1DeploymentSpec { Replicas = 1, Selector = selector, Template = template },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(w), w.Kind, "unknown workload kind"),
        };
    }

    /// <summary>The pod: its own init containers, then one wait for each callee it needs ready at start, then the app.</summary>
    private static V1PodTemplateSpec PodTemplate(Workload w, LabSettings settings, Dictionary<string, string> labels, IReadOnlyList<StartupWait> waits)
    {
        List<V1Container> initContainers = [.. w.InitContainers, .. waits.Select(StartupWaits.Container)];
        var annotations = new Dictionary<string, string> { [Kube.ProxyConfigAnnotation] = Kube.HoldUntilProxyStarts };
        if (settings.DataPlaneRevision is { } revision)
        {
            annotations[Kube.MeshRevisionAnnotation] = revision;
        }

        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = labels, Annotations = annotations },
            Spec = new V1PodSpec
            {
                NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                ServiceAccountName = ServiceAccountName(w),
                AutomountServiceAccountToken = false,
                InitContainers = initContainers.Count > 0 ? initContainers : null,
                Containers = [Container(w)],
                Volumes = w.Volumes.Count > 0 ? [.. w.Volumes] : null,
            },
        };
    }

    private static V1Container Container(Workload w)
    {
        var env = w.Environment
            .Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })
            .Concat(w.RabbitMqCredentials.Select(e => new V1EnvVar
            {
                Name = e.Key,
                ValueFrom = new V1EnvVarSource
                {
                    SecretKeyRef = new V1SecretKeySelector { Name = StoreCatalog.RabbitMqSecretName, Key = e.Value },
                },
            }))
            .ToList();

        return new V1Container
        {
            Name = w.Name,
            Image = w.Image,
            Ports = w.Ports.Count > 0
                ? [.. w.Ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.ContainerPort, Protocol = "TCP" })]
                : null,
            Env = env.Count > 0 ? env : null,
            EnvFrom = w.EnvFrom.Count > 0 ? [.. w.EnvFrom] : null,
            Resources = StoreCatalog.Resources(w.Requests, w.Limits),
            StartupProbe = Probe(w.Startup),
            ReadinessProbe = Probe(w.Readiness),
            LivenessProbe = Probe(w.Liveness),
            VolumeMounts = w.VolumeMounts.Count > 0 ? [.. w.VolumeMounts] : null,
        };
    }

    private static V1Probe? Probe(ProbeSpec? spec) => spec is null ? null : new V1Probe
    {
        HttpGet = spec.Action is ProbeAction.HttpGet http ? new V1HTTPGetAction { Path = http.Path, Port = http.Port } : null,
        TcpSocket = spec.Action is ProbeAction.TcpSocket tcp ? new V1TCPSocketAction { Port = tcp.Port } : null,
        Exec = spec.Action is ProbeAction.Exec exec ? new V1ExecAction { Command = [.. exec.Command] } : null,
        InitialDelaySeconds = spec.InitialDelaySeconds,
        PeriodSeconds = spec.PeriodSeconds,
        FailureThreshold = spec.FailureThreshold,
        TimeoutSeconds = spec.TimeoutSeconds,
    };
}
