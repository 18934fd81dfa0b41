using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The API server's validation rules for what the typed models cannot express: object names, label keys and
/// values, and port names. Strict loading checks the field names; these check the values.
/// </summary>
internal static partial class KubernetesRules
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex PortName();

    public static IEnumerable<string> Violations(IKubernetesObject<V1ObjectMeta> o)
    {
        var id = $"{o.Kind}/{o.Metadata.Name}";
        if (o.Metadata.Name is not { Length: > 0 and <= 63 } name || !Dns1123Label().IsMatch(name))
        {
            yield return $"{id}: name is not a DNS-1123 label";
        }

        if (o.Metadata.NamespaceProperty is { } ns && !Dns1123Label().IsMatch(ns))
        {
            yield return $"{id}: namespace is not a DNS-1123 label";
        }

        var labelSets = new List<IDictionary<string, string>?> { o.Metadata.Labels };
        if (o is V1Deployment d)
        {
            labelSets.Add(d.Spec.Template.Metadata.Labels);
        }

        if (o is V1StatefulSet s)
        {
            labelSets.Add(s.Spec.Template.Metadata.Labels);
        }

        if (o is V1Job j)
        {
            labelSets.Add(j.Spec.Template.Metadata.Labels);
        }

        foreach (var (key, value) in labelSets.OfType<IDictionary<string, string>>().SelectMany(l => l))
        {
            var parts = key.Split('/');
            var keyValid = parts.Length switch
            {
                1 => parts[0].Length <= 63 && LabelValue().IsMatch(parts[0]) && parts[0].Length > 0,
                2 => parts[0].Length <= 253 && Dns1123Subdomain().IsMatch(parts[0]) && parts[1].Length is > 0 and <= 63 && LabelValue().IsMatch(parts[1]),
                _ => false,
            };
            if (!keyValid)
            {
                yield return $"{id}: label key '{key}' is invalid";
            }

            if (value.Length > 63 || !LabelValue().IsMatch(value))
            {
                yield return $"{id}: label value '{value}' is invalid";
            }
        }

        var containers = o switch
        {
            V1Deployment dep => dep.Spec.Template.Spec.Containers.Concat(dep.Spec.Template.Spec.InitContainers ?? []),
            V1StatefulSet set => set.Spec.Template.Spec.Containers.Concat(set.Spec.Template.Spec.InitContainers ?? []),
            V1Job job => job.Spec.Template.Spec.Containers.Concat(job.Spec.Template.Spec.InitContainers ?? []),
            _ => [],
        };
        foreach (var c in containers)
        {
            if (!Dns1123Label().IsMatch(c.Name))
            {
                yield return $"{id}: container name '{c.Name}' is invalid";
            }

            foreach (var p in c.Ports ?? [])
            {
                if (p.Name is { } n && (n.Length > 15 || !PortName().IsMatch(n) || n.Contains("--", StringComparison.Ordinal) || !n.Any(char.IsLetter)))
                {
                    yield return $"{id}: container port name '{n}' is invalid";
                }
            }
        }

        if (o is V1Service svc)
        {
            foreach (var p in svc.Spec.Ports)
            {
                if (p.Name is null || !Dns1123Label().IsMatch(p.Name))
                {
                    yield return $"{id}: service port name '{p.Name}' is invalid";
                }
            }
        }
    }
}
