using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Traffic;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;

namespace IstioLab;

/// <summary>What traffic management needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings, with at least one traffic key set.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Cluster">The cluster, whose add-on owns the Istio CRDs.</param>
/// <param name="Namespace">The application namespace the objects live in.</param>
/// <param name="Store">The store: v2 runs as store-front's identity, and the routes name its Services.</param>
public sealed record TrafficManagementArgs(LabSettings Settings, ProviderResource Provider, Resource Cluster, Resource Namespace, Resource Store);

/// <summary>
/// The workshops' next step, traffic management, by config: store-front-v2 on the canary release, the
/// DestinationRules (store-front's subsets v1 and v2, circuit breaking for the called services) and the in-mesh
/// VirtualServices (timeouts, retries, the faults on the product API), all after the store. The gateway's own route
/// stays in <see cref="MeshRouting"/>, which waits for <see cref="Ready"/> before it names a subset.
/// </summary>
public sealed class TrafficManagement : ComponentResource
{
    public const string Type = "istiolab:index:TrafficManagement";

    /// <summary>store-front-v2, when a canary is configured; the provider waits for its rollout.</summary>
    public ConfigGroup? CanaryWorkload { get; }

    public IReadOnlyList<SpecResource> DestinationRules { get; }

    public IReadOnlyList<SpecResource> VirtualServices { get; }

    /// <summary>Everything this component creates: what the gateway route and the checks wait for.</summary>
    public IReadOnlyList<Resource> Ready { get; }

    public TrafficManagement(string name, TrafficManagementArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;

        CanaryWorkload = settings.Traffic.HasCanary
            ? new ConfigGroup($"{name}-canary", new ConfigGroupArgs
            {
                Yaml = LabManifest.TrafficWorkloadsYaml(settings),
            }, new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Namespace, args.Store } })
            : null;

        CustomResourceOptions After(IEnumerable<Resource> resources)
        {
            var opts = new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.Namespace, args.Store } };
            foreach (var resource in resources)
            {
                opts.DependsOn.Add(resource);
            }

            return opts;
        }

        // The subsets exist once v2 does; the in-mesh routes once the rules for their hosts do.
        DestinationRules = [.. TrafficManifest.DestinationRules(settings).Select(rule => new SpecResource(
            $"{name}-dr-{rule.Metadata.Name}", SpecResourceArgs.From(rule), After(CanaryWorkload is null ? [] : [CanaryWorkload])))];
        VirtualServices = [.. TrafficManifest.MeshRoutes(settings).Select(route => new SpecResource(
            $"{name}-vs-{route.Metadata.Name}", SpecResourceArgs.From(route), After(DestinationRules)))];

        Ready = [.. CanaryWorkload is null ? [] : new Resource[] { CanaryWorkload }, .. DestinationRules, .. VirtualServices];

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["canaryWeight"] = settings.Traffic.CanaryWeight,
            ["destinationRules"] = DestinationRules.Count,
            ["virtualServices"] = VirtualServices.Count,
        });
    }
}
