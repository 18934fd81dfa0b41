using IstioLab.Blueprint.Settings;
using Pulumi;

namespace IstioLab;

/// <summary>The whole workshop as one dependency graph, from resource group to route.</summary>
public static class Lab
{
    /// <summary>The prefix of every resource name in the stack.</summary>
    public const string Name = "istio-lab";

    private const string ObservabilityOff = "disabled: istio-lab:observability is false";

    /// <summary>What the Kiali outputs say before workshop step 5, which installs Kiali.</summary>
    private static readonly string KialiNotYet = $"not yet: Kiali comes at workshop step {WorkshopSteps.Observe}";

    /// <summary>
    /// Checks the configured revisions against what Azure offers in the location (<see cref="MeshRevisionGate"/>),
    /// then builds the graph: a refused revision ends the run before any resource is registered.
    /// </summary>
    /// <param name="settings">The stack's settings, already validated.</param>
    /// <param name="rabbitMqPassword">The configured secret password, or null to generate one.</param>
    /// <param name="arm">Reads the location's mesh revision profile.</param>
    public static async Task<IDictionary<string, object?>> BuildAsync(LabSettings settings, Output<string>? rabbitMqPassword, IArmReader arm)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await MeshRevisionGate.VerifyAsync(settings, arm, new Config("azure-native").Get("environment")).ConfigureAwait(false);
        return Build(settings, rabbitMqPassword);
    }

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
        var observability = settings.Observability
            ? new Observability($"{Name}-observability", new ObservabilityArgs(settings, cluster, cluster.Provider))
            : null;
        var outputs = new Dictionary<string, object?>
        {
            ["resourceGroupName"] = cluster.ResourceGroupName,
            ["clusterName"] = cluster.ClusterName,
            ["istioRevision"] = cluster.Revision,
            ["istioRevisions"] = cluster.Revisions,
            ["kubeconfig"] = cluster.KubeConfig,
            ["grafanaUrl"] = observability?.GrafanaUrl ?? (object)ObservabilityOff,
            ["prometheusQueryEndpoint"] = observability?.QueryEndpoint ?? (object)ObservabilityOff,
            ["expiresAt"] = settings.Cleanup.ExpiresAtOutput,
        };
        if (settings.WorkshopStep is { } step)
        {
            outputs["workshopStep"] = WorkshopSteps.All.Single(s => s.Number == step).Title;
        }

        // Workshop step 1 ends here: the cluster with its add-on, and the Azure side of observing it.
        if (!settings.Reaches(WorkshopSteps.Store))
        {
            var later = MeshRouting.NotYet(settings);
            outputs["ingressIp"] = outputs["storeUrl"] = later;
            outputs["checks"] = $"none at workshop step {settings.WorkshopStep}: the cluster and its add-on are proven by Azure's own provisioning";
            outputs["kialiPortForward"] = outputs["kialiToken"] = observability is null ? ObservabilityOff : KialiNotYet;
            return outputs;
        }

        var meshConfig = new MeshConfiguration($"{Name}-meshconfig", new MeshConfigurationArgs(settings, cluster.Provider, cluster.Revision));
        var store = new StoreApp($"{Name}-store", new StoreAppArgs(settings, cluster.Revision, rabbitMqPassword, cluster.Provider, meshConfig));
        var traffic = settings.Traffic.Enabled
            ? new TrafficManagement($"{Name}-traffic", new TrafficManagementArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store))
            : null;
        var mesh = settings.Reaches(WorkshopSteps.MutualTls)
            ? new MeshRouting($"{Name}-mesh", new MeshRoutingArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store, traffic?.Ready))
            : null;
        var observing = settings.Reaches(WorkshopSteps.Observe);
        var authorization = observing
            ? new StoreAuthorization($"{Name}-authorization", new StoreAuthorizationArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace, store.Store))
            : null;
        var egress = settings.Egress == EgressMode.AllowList
            ? new EgressLockdown($"{Name}-egress", new EgressLockdownArgs(settings, cluster.Provider, cluster.Cluster, store.Namespace))
            : null;
        var https = address is null || mesh?.IngressWait is not { } ingressWait ? null : new HttpsFrontDoor($"{Name}-https", new HttpsFrontDoorArgs(
            settings, cluster.Provider, cluster.Cluster, cluster.ResourceGroupName, address, ingressWait, meshConfig));
        var notYet = Output.Create(MeshRouting.NotYet(settings));
        var ingressIp = https?.IngressIp ?? mesh?.IngressIp ?? notYet;

        object checks = "disabled: istio-lab:checks is false";
        object restarts = checks;
        WorkshopChecksComponent? checksComponent = null;
        if (settings.Checks)
        {
            List<Resource> verified = [store.Store];
            verified.AddRange(new Resource?[] { mesh?.PeerAuthentication, mesh?.Gateway, mesh?.VirtualService }.OfType<Resource>());
            verified.AddRange([.. authorization?.Policies ?? [], .. https?.Ready ?? [], .. egress?.Resources ?? [], .. traffic?.Ready ?? []]);
            if (observability is { InCluster: { } inCluster, Kiali: { } kiali })
            {
                verified.AddRange([inCluster, kiali]);
            }

            var workshopChecks = checksComponent = new WorkshopChecksComponent($"{Name}-checks", new WorkshopChecksArgs(
                settings, cluster.Provider, cluster.Revision, ingressIp, verified, https?.CaCertificate));
            checks = workshopChecks.Summary;

            // Last: once the store is ready and every other check has sent it traffic, no container has restarted.
            restarts = new RestartsCheckComponent($"{Name}-restarts", new RestartsCheckArgs(
                settings, cluster.Provider, cluster.Revision, ingressIp, [store.Store, workshopChecks.Jobs], https?.CaCertificate)).Summary;
        }

        // User identity is beyond the workshop, so it exists only with the gateway (step 5 or no step).
        var identity = settings.UserAuth.Enabled && mesh?.IngressWait is { } gatewayReady
            ? new UserIdentity($"{Name}-identity", new UserIdentityArgs(
                settings, cluster.Provider, cluster.Cluster, gatewayReady, ingressIp, https?.CaCertificate, checksComponent?.Jobs))
            : null;

        outputs["ingressIp"] = ingressIp;
        outputs["storeUrl"] = https?.StoreUrl ?? mesh?.StoreUrl ?? notYet;
        outputs["checks"] = checks;
        outputs["restartsCheck"] = restarts;
        outputs["kialiPortForward"] = observability is null ? ObservabilityOff : observing ? Blueprint.Observability.Kiali.PortForwardCommand : KialiNotYet;
        outputs["kialiToken"] = observability is null ? ObservabilityOff : observing ? Blueprint.Observability.Kiali.TokenCommand : KialiNotYet;
        if (https is not null)
        {
            outputs["storeFqdn"] = https.StoreFqdn;
            if (https.CaCertificate is not null)
            {
                outputs["caCertificate"] = https.CaCertificate;
            }
        }

        foreach (var (key, value) in identity?.Outputs ?? new Dictionary<string, object?>())
        {
            outputs[key] = value;
        }

        foreach (var (key, value) in identity?.Outputs ?? new Dictionary<string, object?>())
        {
            outputs[key] = value;
        }

        return outputs;
    }
}
