using System.Globalization;
using k8s.Models;

namespace IstioLab.Blueprint.Platform;

/// <summary>
/// The add-on's contract for its ingress gateway Services: what a user may change on them. The add-on reconciles
/// every other change away (an annotation outside this list disappears again; ports and protocols are its own).
/// Source: AKS docs articles/aks/istio-deploy-ingress.md, "Ingress gateway service customizations" (Annotations,
/// the health probe annotations for ports 80 and 443, and External traffic policy), as of the August 2026 revision.
/// </summary>
public static class GatewayServiceCustomizations
{
    /// <summary>The annotations the add-on keeps on the gateway Services. Source: the Annotations list of articles/aks/istio-deploy-ingress.md.</summary>
    public static IReadOnlyList<string> Annotations { get; } =
    [
        "external-dns.alpha.kubernetes.io/hostname",
        "service.beta.kubernetes.io/azure-allowed-ip-ranges",
        "service.beta.kubernetes.io/azure-allowed-service-tags",
        "service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4",
        "service.beta.kubernetes.io/azure-load-balancer-disable-tcp-reset",
        "service.beta.kubernetes.io/azure-load-balancer-resource-group",
        "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout",
        "service.beta.kubernetes.io/azure-pip-ip-tags",
        "service.beta.kubernetes.io/azure-pip-name",
        "service.beta.kubernetes.io/azure-shared-securityrule",
    ];

    /// <summary>The per-port health probe annotations, <c>{port}</c> standing for the port. Source: articles/aks/istio-deploy-ingress.md.</summary>
    public static IReadOnlyList<string> PortAnnotationTemplates { get; } =
    [
        "service.beta.kubernetes.io/port_{port}_no_lb_rule",
        "service.beta.kubernetes.io/port_{port}_no_probe_rule",
        "service.beta.kubernetes.io/port_{port}_health-probe_protocol",
        "service.beta.kubernetes.io/port_{port}_health-probe_port",
        "service.beta.kubernetes.io/port_{port}_health-probe_interval",
        "service.beta.kubernetes.io/port_{port}_health-probe_num-of-probe",
        "service.beta.kubernetes.io/port_{port}_health-probe_request-path",
    ];

    /// <summary>The ports the health probe annotations may name. Source: articles/aks/istio-deploy-ingress.md.</summary>
    public static IReadOnlyList<int> ProbePorts { get; } = [80, 443];

    /// <summary>The one spec field users may change. Source: "External traffic policy" in articles/aks/istio-deploy-ingress.md.</summary>
    public const string ExternalTrafficPolicyField = "spec.externalTrafficPolicy";

    /// <summary>Every annotation the add-on keeps, with the per-port ones spelt out for each probe port.</summary>
    public static IReadOnlySet<string> AllowedAnnotations { get; } = new HashSet<string>(
        Annotations.Concat(ProbePorts.SelectMany(port => PortAnnotationTemplates.Select(t =>
            t.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))),
        StringComparer.Ordinal);

    /// <summary>
    /// What a patch of a gateway Service changes outside the contract: each annotation the add-on would not keep, and
    /// any spec field but <see cref="ExternalTrafficPolicyField"/>, or labels; empty when the patch stays inside it.
    /// </summary>
    public static IReadOnlyList<string> Violations(V1Service patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var violations = new List<string>();
        violations.AddRange((patch.Metadata?.Annotations ?? new Dictionary<string, string>()).Keys
            .Where(a => !AllowedAnnotations.Contains(a))
            .Order(StringComparer.Ordinal)
            .Select(a => $"annotation {a}"));
        if (patch.Metadata?.Labels is { Count: > 0 } labels)
        {
            violations.AddRange(labels.Keys.Order(StringComparer.Ordinal).Select(l => $"label {l}"));
        }

        if (patch.Spec is { } spec
            && k8s.KubernetesJson.Serialize(spec) != k8s.KubernetesJson.Serialize(new V1ServiceSpec { ExternalTrafficPolicy = spec.ExternalTrafficPolicy }))
        {
            violations.Add("spec fields other than " + ExternalTrafficPolicyField);
        }

        return violations;
    }
}
