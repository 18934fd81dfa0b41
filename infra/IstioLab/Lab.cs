using IstioLab.Blueprint.Settings;
using Pulumi;

namespace IstioLab;

/// <summary>The whole workshop as one dependency graph, from resource group to route.</summary>
public static class Lab
{
    /// <summary>The prefix of every resource name in the stack.</summary>
    public const string Name = "istio-lab";

    /// <summary>Builds every resource from validated settings and returns the stack outputs.</summary>
    /// <param name="settings">The stack's settings, already validated.</param>
    /// <param name="rabbitMqPassword">The configured secret password, or null to generate one.</param>
    public static IDictionary<string, object?> Build(LabSettings settings, Output<string>? rabbitMqPassword)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var cluster = new AksCluster($"{Name}-cluster", settings);
        var meshConfig = new MeshConfiguration($"{Name}-meshconfig", new MeshConfigurationArgs(settings, cluster.Provider, cluster.Revision));
        var store = new StoreApp($"{Name}-store", new StoreAppArgs(settings, cluster.Revision, rabbitMqPassword, cluster.Provider, meshConfig));
        var mesh = new MeshRouting($"{Name}-mesh", new MeshRoutingArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store));
        var observability = settings.Observability
            ? new Observability($"{Name}-observability", new ObservabilityArgs(settings, cluster, cluster.Provider))
            : null;
        var authorization = new StoreAuthorization($"{Name}-authorization", new StoreAuthorizationArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store));

        object checks = "disabled: istio-lab:checks is false";
        if (settings.Checks)
        {
            List<Resource> verified = [store.Store, mesh.PeerAuthentication, mesh.Gateway, mesh.VirtualService, .. authorization.Policies];
            if (observability is not null)
            {
                verified.AddRange([observability.InCluster, observability.Kiali]);
            }

            checks = new WorkshopChecksComponent($"{Name}-checks", new WorkshopChecksArgs(
                settings, cluster.Provider, cluster.Revision, mesh.IngressIp, verified)).Summary;
        }

        const string ObservabilityOff = "disabled: istio-lab:observability is false";

        return new Dictionary<string, object?>
        {
            ["resourceGroupName"] = cluster.ResourceGroupName,
            ["clusterName"] = cluster.ClusterName,
            ["istioRevision"] = cluster.Revision,
            ["istioRevisions"] = cluster.Revisions,
            ["ingressIp"] = mesh.IngressIp,
            ["storeUrl"] = mesh.StoreUrl,
            ["kubeconfig"] = cluster.KubeConfig,
            ["checks"] = checks,
            ["grafanaUrl"] = observability?.GrafanaUrl ?? (object)ObservabilityOff,
            ["prometheusQueryEndpoint"] = observability?.QueryEndpoint ?? (object)ObservabilityOff,
            ["kialiPortForward"] = observability is null ? ObservabilityOff : Blueprint.Observability.Kiali.PortForwardCommand,
            ["kialiToken"] = observability is null ? ObservabilityOff : Blueprint.Observability.Kiali.TokenCommand,
        };
    }
}
