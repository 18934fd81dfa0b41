using k8s.Models;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;

namespace IstioLab;

/// <summary>Turns the blueprint's typed metadata into Pulumi inputs, value for value.</summary>
internal static class KubeArgs
{
    /// <summary>Name, namespace, labels and annotations of <paramref name="meta"/>; a label can be overridden by an output.</summary>
    public static ObjectMetaArgs Meta(V1ObjectMeta meta, string? outputLabelKey = null, Output<string>? outputLabelValue = null)
    {
        var labels = new InputMap<string>();
        foreach (var (key, value) in meta.Labels ?? new Dictionary<string, string>())
        {
            if (key == outputLabelKey && outputLabelValue is not null)
            {
                labels.Add(key, outputLabelValue);
            }
            else
            {
                labels.Add(key, value);
            }
        }

        var args = new ObjectMetaArgs { Name = meta.Name, Labels = labels };
        if (meta.NamespaceProperty is { } ns)
        {
            args.Namespace = ns;
        }

        if (meta.Annotations is { Count: > 0 } annotations)
        {
            args.Annotations = new Dictionary<string, string>(annotations);
        }

        return args;
    }
}
