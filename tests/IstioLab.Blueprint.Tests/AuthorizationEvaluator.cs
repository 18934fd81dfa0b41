using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Tests;

/// <summary>One request as the callee's sidecar sees it: the caller's mTLS identity, the port it reaches, and for HTTP the method.</summary>
internal sealed record MeshRequest(string Principal, string Namespace, int Port, CallProtocol Protocol, string? Method = null);

/// <summary>
/// Istio's AuthorizationPolicy semantics for the fields the lab uses, written independently of the code that generates
/// the policies: a policy applies to a workload when it is in the workload's namespace and its selector's matchLabels
/// are a subset of the pod's labels (no selector: every workload); DENY wins; with no ALLOW policy the request is
/// allowed; otherwise it is allowed iff some rule of some ALLOW policy matches. Dry-run policies are never enforced.
/// A rule matches when any of its <c>from</c> and any of its <c>to</c> match (a missing list matches anything); a
/// rule naming an HTTP-only field never matches TCP.
/// </summary>
internal static class AuthorizationEvaluator
{
    public static bool Allows(IEnumerable<AuthorizationPolicy> policies, string calleeNamespace, IDictionary<string, string> calleeLabels, MeshRequest request)
    {
        var applicable = policies
            .Where(p => p.Metadata.NamespaceProperty == calleeNamespace)
            .Where(p => p.Metadata.Annotations is null || !p.Metadata.Annotations.TryGetValue(AuthorizationPolicy.DryRunAnnotation, out var dryRun) || dryRun != "true")
            .Where(p => p.Spec.Selector is null || p.Spec.Selector.MatchLabels.All(l => calleeLabels.TryGetValue(l.Key, out var v) && v == l.Value))
            .ToList();
        Assert.All(applicable, p => Assert.True(p.Spec.Action is null or "ALLOW" or "DENY", $"the evaluator models ALLOW and DENY, not {p.Spec.Action}"));

        if (applicable.Any(p => p.Spec.Action == "DENY" && Matches(p, request)))
        {
            return false;
        }

        var allow = applicable.Where(p => (p.Spec.Action ?? "ALLOW") == "ALLOW").ToList();
        return allow.Count == 0 || allow.Any(p => Matches(p, request));
    }

    private static bool Matches(AuthorizationPolicy policy, MeshRequest request) =>
        (policy.Spec.Rules ?? []).Any(rule =>
            (rule.From is null || rule.From.Any(f => SourceMatches(f.Source, request)))
            && (rule.To is null || rule.To.Any(t => OperationMatches(t.Operation, request))));

    private static bool SourceMatches(AuthorizationSource source, MeshRequest request) =>
        (source.Principals is null || source.Principals.Contains(request.Principal))
        && (source.Namespaces is null || source.Namespaces.Contains(request.Namespace));

    private static bool OperationMatches(AuthorizationOperation operation, MeshRequest request)
    {
        var namesHttpFields = operation.Methods is not null || operation.Paths is not null || operation.Hosts is not null;
        if (namesHttpFields && request.Protocol == CallProtocol.Tcp)
        {
            return false;
        }

        Assert.True(operation.Paths is null && operation.Hosts is null, "the evaluator models ports and methods only");
        return (operation.Ports is null || operation.Ports.Contains(request.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            && (operation.Methods is null || operation.Methods.Contains(request.Method!));
    }
}
