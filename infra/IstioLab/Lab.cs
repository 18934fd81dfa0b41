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

        HttpsAddress? address = null;
        var cluster = new AksCluster($"{Name}-cluster", settings, beforeCluster: settings.Https.Enabled
            ? group => (address = new HttpsAddress($"{Name}-https-address", settings, group)).PublicIp
            : null);
        var meshConfig = new MeshConfiguration($"{Name}-meshconfig", new MeshConfigurationArgs(settings, cluster.Provider, cluster.Revision));
        var store = new StoreApp($"{Name}-store", new StoreAppArgs(settings, cluster.Revision, rabbitMqPassword, cluster.Provider, meshConfig));
        var mesh = new MeshRouting($"{Name}-mesh", new MeshRoutingArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store));
        var observability = settings.Observability
            ? new Observability($"{Name}-observability", new ObservabilityArgs(settings, cluster, cluster.Provider))
            : null;
        var authorization = new StoreAuthorization($"{Name}-authorization", new StoreAuthorizationArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store));
        var https = address is null ? null : new HttpsFrontDoor($"{Name}-https", new HttpsFrontDoorArgs(
            settings, cluster.Provider, cluster.Cluster, cluster.ResourceGroupName, address, mesh.IngressWait, meshConfig));
        var ingressIp = https?.IngressIp ?? mesh.IngressIp;

        object checks = "disabled: istio-lab:checks is false";
        if (settings.Checks)
        {
            List<Resource> verified = [store.Store, mesh.PeerAuthentication, mesh.Gateway, mesh.VirtualService, .. authorization.Policies, .. https?.Ready ?? []];
            if (observability is not null)
            {
                verified.AddRange([observability.InCluster, observability.Kiali]);
            }

            checks = new WorkshopChecksComponent($"{Name}-checks", new WorkshopChecksArgs(
                settings, cluster.Provider, cluster.Revision, ingressIp, verified, https?.CaCertificate)).Summary;
        }

        const string ObservabilityOff = "disabled: istio-lab:observability is false";

        var outputs = new Dictionary<string, object?>
        {
            ["resourceGroupName"] = cluster.ResourceGroupName,
            ["clusterName"] = cluster.ClusterName,
            ["istioRevision"] = cluster.Revision,
            ["istioRevisions"] = cluster.Revisions,
            ["ingressIp"] = ingressIp,
            ["storeUrl"] = https?.StoreUrl ?? mesh.StoreUrl,
            ["kubeconfig"] = cluster.KubeConfig,
            ["checks"] = checks,
            ["grafanaUrl"] = observability?.GrafanaUrl ?? (object)ObservabilityOff,
            ["prometheusQueryEndpoint"] = observability?.QueryEndpoint ?? (object)ObservabilityOff,
            ["kialiPortForward"] = observability is null ? ObservabilityOff : Blueprint.Observability.Kiali.PortForwardCommand,
            ["kialiToken"] = observability is null ? ObservabilityOff : Blueprint.Observability.Kiali.TokenCommand,
            ["expiresAt"] = settings.Cleanup.ExpiresAtOutput,
        };
        if (https is not null)
        {
            outputs["storeFqdn"] = https.StoreFqdn;
            if (https.CaCertificate is not null)
            {
                outputs["caCertificate"] = https.CaCertificate;
            }
        }

        return outputs;
    }
}
