using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Settings;
using Pulumi;

namespace IstioLab;

/// <summary>What the egress lockdown needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings, with <c>istio-lab:egress=allow-list</c>.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Cluster">The cluster, whose add-on owns the Istio CRDs.</param>
/// <param name="Namespace">The store's namespace, which the entries and the Sidecar live in.</param>
public sealed record EgressLockdownArgs(LabSettings Settings, ProviderResource Provider, Resource Cluster, Resource Namespace);

/// <summary>
/// Beyond the workshop: nothing leaves the store unless listed (<c>istio-lab:egress=allow-list</c>). One ServiceEntry per
/// listed host, then the namespace's REGISTRY_ONLY Sidecar, created only after every entry so that switching a running
/// store to the allow-list never blocks a listed host. The blueprint decides every field; with <c>open</c> the lab
/// creates no such component at all.
/// </summary>
public sealed class EgressLockdown : ComponentResource
{
    public const string Type = "istiolab:index:EgressLockdown";

    /// <summary>One entry per listed host, in the order of the list.</summary>
    public IReadOnlyList<SpecResource> ServiceEntries { get; }

    /// <summary>The store namespace's Sidecar, on REGISTRY_ONLY.</summary>
    public SpecResource Sidecar { get; }

    /// <summary>Everything the lockdown created, the Sidecar last: what the egress check verifies.</summary>
    public IReadOnlyList<Resource> Resources => [.. ServiceEntries, Sidecar];

    public EgressLockdown(string name, EgressLockdownArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        if (settings.Egress != EgressMode.AllowList)
        {
            throw new ArgumentException("the egress lockdown exists only with istio-lab:egress=allow-list", nameof(args));
        }

        ServiceEntries = [.. EgressManifest.ServiceEntries(settings).Select(entry => new SpecResource($"{name}-{entry.Metadata.Name}", SpecResourceArgs.From(entry),
            new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.Namespace } }))];

        var sidecarOptions = new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.Namespace } };
        foreach (var entry in ServiceEntries)
        {
            sidecarOptions.DependsOn.Add(entry);
        }

        Sidecar = new SpecResource($"{name}-sidecar", SpecResourceArgs.From(EgressManifest.LockedSidecar(settings)), sidecarOptions);

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["mode"] = settings.EgressName,
            ["hosts"] = settings.EgressHosts.Select(h => h.ToString()).ToList(),
        });
    }
}
