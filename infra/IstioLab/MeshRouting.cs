using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Kubernetes.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;

namespace IstioLab;

/// <summary>What the mesh objects need from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Cluster">The cluster, whose add-on owns the Istio CRDs and the ingress gateway.</param>
/// <param name="Namespace">The application namespace the objects live in.</param>
/// <param name="Store">The store, which the route sends traffic to.</param>
/// <param name="RouteAfter">What the gateway route must wait for beyond the store: traffic management's v2 and subsets.</param>
public sealed record MeshRoutingArgs(LabSettings Settings, ProviderResource Provider, Resource Cluster, Resource Namespace, Resource Store, IReadOnlyList<Resource>? RouteAfter = null);

/// <summary>
/// Workshop step 3, STRICT mTLS for the application namespace; and step 4, the Istio Gateway on the add-on's external
/// ingress gateway and the VirtualService to store-front, and the gateway's public IP, read from the add-on's
/// Service, which the lab never manages (pitfall 8). With <c>istio-lab:workshopStep</c> 3 only the first exists.
/// </summary>
public sealed class MeshRouting : ComponentResource
{
    public const string Type = "istiolab:index:MeshRouting";

    public SpecResource PeerAuthentication { get; }
    /// <summary>From workshop step 4 on; null before.</summary>
    public SpecResource? Gateway { get; }

    /// <summary>From workshop step 4 on; null before.</summary>
    public SpecResource? VirtualService { get; }

    /// <summary>The Job (with its read-only service account) that waits, bounded, for the gateway's public IP; from step 4 on.</summary>
    public ConfigGroup? IngressWait { get; }

    /// <summary>The public IP of the add-on's external ingress gateway; before step 4, a sentence saying when it comes.</summary>
    public Output<string> IngressIp { get; }

    /// <summary>Where the store is served: <c>http://&lt;ingress IP&gt;/</c>; before step 4, a sentence saying when it comes.</summary>
    public Output<string> StoreUrl { get; }

    /// <summary>What the address outputs say before workshop step 4.</summary>
    public static string NotYet(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"not yet: istio-lab:workshopStep is {settings.WorkshopStep}; the ingress gateway comes at step {WorkshopSteps.Ingress}";
    }

    public MeshRouting(string name, MeshRoutingArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        CustomResourceOptions InNamespace(params Resource[] after)
        {
            var opts = new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.Namespace } };
            foreach (var resource in after)
            {
                opts.DependsOn.Add(resource);
            }

            return opts;
        }

        PeerAuthentication = new SpecResource($"{name}-mtls", SpecResourceArgs.From(MeshManifest.StrictMutualTls(settings)), InNamespace());
        if (!settings.Reaches(WorkshopSteps.Ingress))
        {
            IngressIp = Output.Create(NotYet(settings));
            StoreUrl = IngressIp;
            RegisterOutputs(new Dictionary<string, object?> { ["ingressIp"] = IngressIp, ["storeUrl"] = StoreUrl });
            return;
        }

        Gateway = new SpecResource($"{name}-gateway", SpecResourceArgs.From(MeshManifest.StoreGateway(settings)), InNamespace());
        VirtualService = new SpecResource($"{name}-route", SpecResourceArgs.From(MeshManifest.StoreRoute(settings)), InNamespace([Gateway, args.Store, .. args.RouteAfter ?? []]));

        // The provider waits for this Job to complete, so the read below runs only once the IP exists (or the
        // update fails with the Job's message after a few minutes). Its YAML is known at preview time.
        IngressWait = new ConfigGroup($"{name}-ingress-wait", new ConfigGroupArgs
        {
            Yaml = LabManifest.IngressWaitYaml(settings),
        }, new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.Namespace } });

        // Read only, never managed: the add-on owns the Service.
        var ingress = Service.Get(
            $"{name}-ingress",
            $"{MeshManifest.IngressNamespace}/{MeshManifest.IngressServiceName}",
            new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, IngressWait, VirtualService } });
        IngressIp = ingress.Status.Apply(status =>
        {
            var points = status?.LoadBalancer?.Ingress ?? default;
            var ip = points.IsDefaultOrEmpty ? null : points.Select(p => p.Ip).FirstOrDefault(a => !string.IsNullOrEmpty(a));
            return ip ?? throw new InvalidOperationException(IngressAddressWait.NoAddressMessage);
        });
        StoreUrl = Output.Format($"http://{IngressIp}/");

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["ingressIp"] = IngressIp,
            ["storeUrl"] = StoreUrl,
        });
    }
}
