using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using Pulumi;

namespace IstioLab;

/// <summary>What the store's AuthorizationPolicies need from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Cluster">The cluster, whose add-on owns the Istio CRDs.</param>
/// <param name="Namespace">The application namespace the policies live in.</param>
/// <param name="Store">The store, rolled out on its own service accounts before any policy names them.</param>
public sealed record StoreAuthorizationArgs(LabSettings Settings, ProviderResource Provider, Resource Cluster, Resource Namespace, Resource Store);

/// <summary>
/// Beyond the workshop: the store's allow-list (<c>istio-lab:authorization</c>). One ALLOW policy per callee, derived
/// by the blueprint from the calls each workload declares, and the namespace-wide allow-nothing policy, created
/// after every ALLOW policy so that switching a running store to the allow-list never denies an allowed call. All of
/// them wait for the store: its pods must run as their new service accounts before policies name them. Nothing in
/// <c>open</c> mode.
/// </summary>
public sealed class StoreAuthorization : ComponentResource
{
    public const string Type = "istiolab:index:StoreAuthorization";

    /// <summary>Every policy of the stack, the allow-nothing policy last; empty in <c>open</c> mode.</summary>
    public IReadOnlyList<SpecResource> Policies { get; }

    public StoreAuthorization(string name, StoreAuthorizationArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var policies = new List<SpecResource>();
        foreach (var policy in AuthorizationManifest.Build(args.Settings))
        {
            var opts = new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.Namespace, args.Store } };
            if (policy.Metadata.Name == AuthorizationManifest.AllowNothingName)
            {
                foreach (var allow in policies)
                {
                    opts.DependsOn.Add(allow);
                }
            }

            policies.Add(new SpecResource($"{name}-{policy.Metadata.Name}", SpecResourceArgs.From(policy), opts));
        }

        Policies = policies;
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["mode"] = args.Settings.AuthorizationName,
            ["policies"] = policies.Count,
        });
    }
}
