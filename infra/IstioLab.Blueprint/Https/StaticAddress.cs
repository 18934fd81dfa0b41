using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Https;

/// <summary>
/// A stable address for the store: a Standard, Static public IP with the stack's DNS label in the lab's resource
/// group, the cluster's identity allowed to attach it (Network Contributor on that group), and the add-on's gateway
/// Service told to use it through the two annotations the add-on lets users set. The IP outlives the cluster's
/// load balancer, so a rebuilt cluster keeps its address and name.
/// </summary>
public static class StaticAddress
{
    public const string SkuName = "Standard";
    public const string SkuTier = "Regional";
    public const string AllocationMethod = "Static";
    public const string IpVersion = "IPv4";

    /// <summary>Azure's built-in Network Contributor role.</summary>
    public const string NetworkContributorRoleGuid = "4d97b98b-1d4f-4787-a291-c67834d212e7";

    /// <summary>A cluster's system-assigned identity is a service principal.</summary>
    public const string PrincipalType = "ServicePrincipal";

    /// <summary>The public IP (by name) the cloud provider puts on the Service's load balancer.</summary>
    public const string PublicIpNameAnnotation = "service.beta.kubernetes.io/azure-pip-name";

    /// <summary>Where that IP lives when it is not in the cluster's node resource group.</summary>
    public const string ResourceGroupAnnotation = "service.beta.kubernetes.io/azure-load-balancer-resource-group";

    /// <summary>The server-side-apply field manager of the lab's patch: it owns the two annotations and nothing else.</summary>
    public const string FieldManager = "istio-lab-https";

    /// <summary>The public IP's name: the cluster's name and what it is for (at most 72 of Azure's 80 characters).</summary>
    public static string PublicIpName(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"{settings.ClusterName}-store-ip";
    }

    /// <summary>The full id of Network Contributor in <paramref name="subscriptionId"/>.</summary>
    public static string RoleDefinitionId(string subscriptionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        return $"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{NetworkContributorRoleGuid}";
    }

    /// <summary>The id of the lab's resource group, the scope of the role assignment.</summary>
    public static string ResourceGroupScope(string subscriptionId, string resourceGroup)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentException.ThrowIfNullOrEmpty(resourceGroup);
        return $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
    }

    /// <summary>
    /// The role assignment's name, a GUID Azure requires: a version-5 UUID of the role, the subscription, the group,
    /// the cluster and the region, so it is the same on every run and differs between labs, also between
    /// subscriptions of one tenant, where role-assignment names must be unique.
    /// </summary>
    public static Guid RoleAssignmentName(LabSettings settings, string subscriptionId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        return DeterministicGuid.V5(DeterministicGuid.UrlNamespace,
            $"https://istio-lab/role-assignments/{NetworkContributorRoleGuid}/{subscriptionId.ToLowerInvariant()}/{settings.ResourceGroupName}/{settings.ClusterName}/{settings.Location}");
    }

    /// <summary>
    /// What the lab applies to the add-on's gateway Service: its name and the two annotations, nothing else, so the
    /// add-on keeps every other field (ports, selector, type) and the Service itself.
    /// </summary>
    public static V1Service GatewayServicePatch(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta
            {
                Name = MeshManifest.IngressServiceName,
                NamespaceProperty = MeshManifest.IngressNamespace,
                Annotations = new Dictionary<string, string>
                {
                    [PublicIpNameAnnotation] = PublicIpName(settings),
                    [ResourceGroupAnnotation] = settings.ResourceGroupName,
                },
            },
        };
    }
}
