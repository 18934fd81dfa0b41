using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint;

/// <summary>
/// What one script Job is: its name, namespace and labels, the script and its environment, and who it runs as.
/// Everything else (one try or a few, a deadline, the curl image as a non-root user with a read-only root, Linux
/// nodes, the runtime's seccomp profile) is the same for every Job of the lab and comes from <see cref="ScriptJob"/>.
/// </summary>
public sealed record ScriptJobSpec(string Name, string Namespace, Dictionary<string, string> Labels, string Container, string Script, IReadOnlyList<V1EnvVar> Env)
{
    /// <summary>Labels the pod carries beyond the Job's own (a sidecar opt-out, workload identity).</summary>
    public IReadOnlyDictionary<string, string> ExtraPodLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string>? PodAnnotations { get; init; }

    public string? ServiceAccount { get; init; }

    /// <summary>Only a Job that talks to the Kubernetes API mounts its service account's token.</summary>
    public bool MountServiceAccountToken { get; init; }

    public int BackoffLimit { get; init; }

    public long ActiveDeadlineSeconds { get; init; }
}

/// <summary>
/// The lab's one-shot Jobs (the checks, the waits, the dashboard's publication), built one way. Every one carries
/// <see cref="ReplaceUnreadyAnnotation"/>, so a `pulumi up` after a failure runs it again.
/// </summary>
public static class ScriptJob
{
    /// <summary>
    /// Every script Job's image: curl on a small shell, the official curl image. Pulled from quay.io, not Docker Hub,
    /// whose anonymous pulls are rate-limited: the curl project publishes each release to quay.io/curl/curl and to
    /// Docker Hub's curlimages/curl alike (curl/curl-container, README.md, "Release"). UNCONFIRMED that this exact tag
    /// is on quay.io: a missing tag fails loudly, every check Job in ImagePullBackOff until its deadline.
    /// </summary>
    public const string Image = "quay.io/curl/curl:8.11.1";

    /// <summary>The curl image's own non-root user (curl_user); not the proxy's UID 1337, whose traffic skips the sidecar.</summary>
    public const long RunAsUser = 100;

    /// <summary>
    /// The Kubernetes provider's annotation that makes the next update replace a Job that is not complete (failed
    /// or still running), and leave a Job that succeeded alone. Without it a failed Job is only re-read, never
    /// run again (pulumi/pulumi-kubernetes issue 856). Source: pulumi/pulumi-kubernetes v4.32.0,
    /// provider/pkg/provider/provider.go (Diff: <c>metadata.ReplaceUnready</c>, Jobs only, readiness from the live
    /// Job) and sdk/dotnet/Batch/V1/Job.cs; added in pulumi-kubernetes pull request 1575.
    /// </summary>
    public const string ReplaceUnreadyAnnotation = "pulumi.com/replaceUnready";

    public static V1Job Build(ScriptJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var podLabels = new Dictionary<string, string>(spec.Labels);
        foreach (var (key, value) in spec.ExtraPodLabels)
        {
            podLabels[key] = value;
        }

        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = spec.Name,
                NamespaceProperty = spec.Namespace,
                Labels = spec.Labels,
                // A Job that did not complete runs again on the next `pulumi up`; one that passed is left alone.
                Annotations = new Dictionary<string, string> { [ReplaceUnreadyAnnotation] = "true" },
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = spec.BackoffLimit,
                ActiveDeadlineSeconds = spec.ActiveDeadlineSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = podLabels,
                        Annotations = spec.PodAnnotations is null ? null : new Dictionary<string, string>(spec.PodAnnotations),
                    },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        ServiceAccountName = spec.ServiceAccount,
                        AutomountServiceAccountToken = spec.MountServiceAccountToken,
                        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                        SecurityContext = new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = spec.Container,
                                Image = Image,
                                Command = ["/bin/sh", "-c", spec.Script],
                                Env = [.. spec.Env],
                                Resources = StoreCatalog.Resources(new Compute("5m", "16Mi"), new Compute("100m", "64Mi")),
                                SecurityContext = Kube.Restricted(RunAsUser),
                            },
                        ],
                    },
                },
            },
        };
    }
}
