using System.Globalization;
using System.Text;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Security;

/// <summary>Who a caller is to the callee's sidecar: one service account's mTLS identity, or a whole namespace.</summary>
public abstract record CallerIdentity
{
    /// <summary>The identity of pods that run as service account <paramref name="Name"/> in <paramref name="Namespace"/>.</summary>
    public sealed record ServiceAccount(string Namespace, string Name) : CallerIdentity
    {
        /// <summary>The SPIFFE-style principal Istio matches: <c>cluster.local/ns/&lt;namespace&gt;/sa/&lt;name&gt;</c>.</summary>
        public string Principal => $"{AuthorizationManifest.TrustDomain}/ns/{Namespace}/sa/{Name}";

        public override string Describe() => $"service account `{Name}`";
    }

    /// <summary>Any meshed pod of <paramref name="Name"/>; for callers whose service account the lab does not own.</summary>
    public sealed record AnyInNamespace(string Name) : CallerIdentity
    {
        public override string Describe() => $"namespace `{Name}`";
    }

    /// <summary>How the table in docs/zero-trust.md names this identity.</summary>
    public abstract string Describe();
}

/// <summary>Something in the mesh that calls the store: a store workload, the ingress gateway or a check.</summary>
public sealed record MeshCaller(string Name, CallerIdentity Identity, IReadOnlyList<StoreCall> Calls);

/// <summary>One call the allow-list grants: the caller, the call, and the callee's port it reaches.</summary>
public sealed record AllowedCall(MeshCaller Caller, StoreCall Call);

/// <summary>
/// The store's allow-list, derived from declarations, never written per pair: every store workload declares whom
/// it calls (<see cref="Workload.Calls"/>), the ingress gateway calls what the VirtualService routes to, and the
/// in-mesh checks declare their own calls. With <see cref="AuthorizationMode.AllowList"/> the namespace gets one
/// allow-nothing policy and one ALLOW policy per callee; <see cref="AuthorizationMode.DryRun"/> applies the same
/// policies with <c>istio.io/dry-run</c>; <see cref="AuthorizationMode.Open"/> applies none. The call graph and Istio's
/// matching rules it relies on: <c>docs/zero-trust.md</c>.
/// </summary>
public static class AuthorizationManifest
{
    /// <summary>The add-on's trust domain, the first part of every principal.</summary>
    public const string TrustDomain = "cluster.local";

    /// <summary>The namespace-wide policy with an empty spec: every request is denied unless an ALLOW policy matches it.</summary>
    public const string AllowNothingName = "allow-nothing";

    /// <summary>The ALLOW policy of one callee.</summary>
    public static string AllowPolicyName(string callee) => $"allow-{callee}";

    /// <summary>Everything that calls into the store's namespace: the store's workloads, the ingress gateway, and the in-mesh checks when they run.</summary>
    public static IReadOnlyList<MeshCaller> Callers(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var workloads = StoreCatalog.Workloads(settings.StoreVariant)
            .Select(w => new MeshCaller(w.Name, new CallerIdentity.ServiceAccount(settings.AppNamespace, StoreManifest.ServiceAccountName(w)), w.Calls));
        return [.. workloads, IngressGateway(settings), .. settings.Checks ? WorkshopChecks.MeshCallers(settings) : []];
    }

    /// <summary>
    /// The add-on's ingress gateway, known by its namespace only (its service account's name is not documented), calling
    /// whatever the VirtualService routes to, on the port the route's Service port leads to.
    /// </summary>
    public static MeshCaller IngressGateway(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var calls = MeshManifest.StoreRoute(settings).Spec.Http
            .SelectMany(route => route.Route)
            .Select(r => CallThroughService(settings, r.Destination.Host, r.Destination.Port.Number))
            .Distinct()
            .ToList();
        return new MeshCaller("ingress gateway", new CallerIdentity.AnyInNamespace(MeshManifest.IngressNamespace), calls);
    }

    /// <summary>A call made to a Service's port, as the callee's sidecar sees it: on the container port behind it, with its protocol.</summary>
    public static StoreCall CallThroughService(LabSettings settings, string service, int servicePort, params string[] methods)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var workload = StoreCatalog.Workloads(settings.StoreVariant).SingleOrDefault(w => w.Name == service && w.HasService)
            ?? throw new InvalidOperationException($"no store Service '{service}' in the {settings.StoreVariantName} store");
        var port = workload.Ports.SingleOrDefault(p => p.ServicePort == servicePort)
            ?? throw new InvalidOperationException($"the Service '{service}' has no port {servicePort}");
        return new StoreCall(service, port.ContainerPort, ProtocolOf(port), methods);
    }

    /// <summary>
    /// Every declared call whose caller and callee are both in this stack, in a stable order (callers as
    /// <see cref="Callers"/> lists them, then their calls as declared). A call to a workload the variant does not
    /// deploy grants nothing. A call to a port the callee does not listen on, or with the wrong protocol, is a
    /// mistake in the declarations and throws.
    /// </summary>
    public static IReadOnlyList<AllowedCall> AllowedCalls(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return AllowedCalls(StoreCatalog.Workloads(settings.StoreVariant), Callers(settings));
    }

    /// <summary>The calls of <paramref name="callers"/> that reach one of <paramref name="deployed"/>, checked against the callee's ports.</summary>
    public static IReadOnlyList<AllowedCall> AllowedCalls(IReadOnlyList<Workload> deployed, IEnumerable<MeshCaller> callers)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        ArgumentNullException.ThrowIfNull(callers);
        var workloads = deployed.ToDictionary(w => w.Name, StringComparer.Ordinal);
        var allowed = new List<AllowedCall>();
        foreach (var caller in callers)
        {
            foreach (var call in caller.Calls)
            {
                if (!workloads.TryGetValue(call.Callee, out var callee))
                {
                    continue;
                }

                var port = callee.Ports.SingleOrDefault(p => p.ContainerPort == call.Port)
                    ?? throw new InvalidOperationException(
                        $"{caller.Name} declares a call to {call.Callee}:{call.Port}, but {call.Callee} listens on {string.Join(", ", callee.Ports.Select(p => p.ContainerPort))}");
                if (ProtocolOf(port) != call.Protocol)
                {
                    throw new InvalidOperationException(
                        $"{caller.Name} declares a {call.Protocol} call to {call.Callee}:{call.Port}, but that port is {port.Protocol} ('{port.Name}')");
                }

                if (call.Protocol == CallProtocol.Tcp && call.Methods.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"{caller.Name} declares HTTP methods on a TCP call to {call.Callee}:{call.Port}; a rule with methods never matches TCP");
                }

                allowed.Add(new AllowedCall(caller, call));
            }
        }

        return allowed;
    }

    /// <summary>
    /// The policies of the stack: in <see cref="AuthorizationMode.Open"/> none; otherwise one ALLOW policy per callee
    /// (in catalog order) and then the allow-nothing policy, every one marked dry-run in <see cref="AuthorizationMode.DryRun"/>.
    /// </summary>
    public static IReadOnlyList<AuthorizationPolicy> Build(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Authorization == AuthorizationMode.Open)
        {
            return [];
        }

        var allowed = AllowedCalls(settings);
        var perCallee = StoreCatalog.Workloads(settings.StoreVariant)
            .Select(callee => (Callee: callee, Calls: allowed.Where(a => a.Call.Callee == callee.Name).ToList()))
            .Where(p => p.Calls.Count > 0)
            .Select(p => Policy(settings, AllowPolicyName(p.Callee.Name), new AuthorizationPolicySpec
            {
                Selector = new WorkloadSelector { MatchLabels = Kube.Selector(p.Callee.Name) },
                Action = "ALLOW",
                Rules = [.. p.Calls.Select(Rule)],
            }));
        return [.. perCallee, Policy(settings, AllowNothingName, new AuthorizationPolicySpec())];
    }

    /// <summary>The table of allowed calls in docs/zero-trust.md, built from the default stack in allow-list mode, with the quickstart column.</summary>
    public static string AllowedCallsTable()
    {
        var allInOne = LabSettings.Defaults with { Authorization = AuthorizationMode.AllowList };
        var quickstart = allInOne with { StoreVariant = StoreVariant.Quickstart };
        var inQuickstart = AllowedCalls(quickstart).Select(Key).ToHashSet();

        var table = new StringBuilder();
        table.Append("| caller | identity | callee | port | protocol | methods | in quickstart |\n");
        table.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var call in AllowedCalls(allInOne))
        {
            var methods = call.Call.Protocol == CallProtocol.Tcp ? "n/a (TCP)" : call.Call.Methods.Count == 0 ? "any" : string.Join(", ", call.Call.Methods);
            table.Append(CultureInfo.InvariantCulture,
                $"| {call.Caller.Name} | {call.Caller.Identity.Describe()} | {call.Call.Callee} | {call.Call.Port} | {call.Call.Protocol.ToString().ToUpperInvariant()} | {methods} | {(inQuickstart.Contains(Key(call)) ? "yes" : "no")} |\n");
        }

        return table.ToString();
    }

    private static (string, string, int) Key(AllowedCall call) => (call.Caller.Name, call.Call.Callee, call.Call.Port);

    private static CallProtocol ProtocolOf(PortSpec port) => port.Protocol == "tcp" ? CallProtocol.Tcp : CallProtocol.Http;

    /// <summary>One rule per allowed call: its caller, its port, and its methods when HTTP and restricted. TCP rules name only callers and ports.</summary>
    private static AuthorizationRule Rule(AllowedCall allowed) => new()
    {
        From =
        [
            new RuleFrom
            {
                Source = allowed.Caller.Identity switch
                {
                    CallerIdentity.ServiceAccount sa => new AuthorizationSource { Principals = [sa.Principal] },
                    CallerIdentity.AnyInNamespace ns => new AuthorizationSource { Namespaces = [ns.Name] },
                    _ => throw new ArgumentOutOfRangeException(nameof(allowed), allowed.Caller.Identity, "unknown caller identity"),
                },
            },
        ],
        To =
        [
            new RuleTo
            {
                Operation = new AuthorizationOperation
                {
                    Ports = [allowed.Call.Port.ToString(CultureInfo.InvariantCulture)],
                    Methods = allowed.Call.Protocol == CallProtocol.Http && allowed.Call.Methods.Count > 0 ? [.. allowed.Call.Methods] : null,
                },
            },
        ],
    };

    private static AuthorizationPolicy Policy(LabSettings settings, string name, AuthorizationPolicySpec spec)
    {
        var meta = Kube.Meta(name, settings.AppNamespace, new Dictionary<string, string>
        {
            ["app.kubernetes.io/part-of"] = Kube.StorePartOf,
            ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
        });
        if (settings.Authorization == AuthorizationMode.DryRun)
        {
            meta.Annotations = new Dictionary<string, string> { [AuthorizationPolicy.DryRunAnnotation] = "true" };
        }

        return new AuthorizationPolicy { Metadata = meta, Spec = spec };
    }
}
