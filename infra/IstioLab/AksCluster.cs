using System.Collections.Immutable;
using System.Text;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.AzureNative.ContainerService;
using Pulumi.AzureNative.ContainerService.Inputs;
using Pulumi.AzureNative.Resources;

namespace IstioLab;

/// <summary>
/// Workshop step 1-2: the resource group, the AKS cluster with the Istio add-on and its external ingress
/// gateway, the cluster's credentials as a secret kubeconfig, and the one explicit Kubernetes provider built
/// from it. Every Kubernetes resource of the lab uses <see cref="Provider"/>; the ambient KUBECONFIG never is.
/// </summary>
public sealed class AksCluster : ComponentResource
{
    public const string Type = "istiolab:index:AksCluster";

    public Output<string> ResourceGroupName { get; }
    public Output<string> ClusterName { get; }

    /// <summary>
    /// The revision the application namespace follows: the configured data-plane revision, else the one the
    /// cluster reports (never a constant: pitfall 1).
    /// </summary>
    public Output<string> Revision { get; }

    /// <summary>Every revision the cluster reports: one, or two while a canary upgrade runs.</summary>
    public Output<ImmutableArray<string>> Revisions { get; }

    /// <summary>The user kubeconfig, always a secret (pitfall 15).</summary>
    public Output<string> KubeConfig { get; }

    public Pulumi.Kubernetes.Provider Provider { get; }

    /// <summary>The resource group everything Azure of the lab lives in.</summary>
    public ResourceGroup Group { get; }

    /// <summary>The cluster's OIDC issuer, which federated credentials trust; empty while workload identity is off.</summary>
    public Output<string> OidcIssuerUrl { get; }

    /// <summary>The cluster itself, for resources that must wait for it.</summary>
    public ManagedCluster Cluster { get; }

    /// <param name="name">The component's name, prefix of its children's.</param>
    /// <param name="settings">The validated stack settings.</param>
    /// <param name="options">The component's options.</param>
    /// <param name="beforeCluster">
    /// Makes, in the new resource group, what must outlive the cluster on destroy (the HTTPS static IP): the cluster
    /// waits for it, so a destroy removes the cluster and its load balancer first.
    /// </param>
    public AksCluster(string name, LabSettings settings, ComponentResourceOptions? options = null, Func<ResourceGroup, Pulumi.Resource>? beforeCluster = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var group = Group = new ResourceGroup($"{name}-rg", new ResourceGroupArgs
        {
            ResourceGroupName = settings.ResourceGroupName,
            Location = settings.Location,
        }, new CustomResourceOptions { Parent = this });

        var istio = new IstioServiceMeshArgs
        {
            Components = new IstioComponentsArgs
            {
                IngressGateways =
                {
                    // Enabled at workshop step 4, as `az aks mesh enable-ingress-gateway` does; sent disabled before, so
                    // walking back down a step turns it off again.
                    new IstioIngressGatewayArgs { Mode = IstioIngressGatewayMode.External, Enabled = settings.Reaches(WorkshopSteps.Ingress) },
                },
            },
        };
        // Only configured revisions are sent, older first: none lets the add-on install its default (pitfall 2);
        // two run a canary upgrade.
        foreach (var revision in settings.MeshRevisions)
        {
            istio.Revisions.Add(revision);
        }

        var pool = new ManagedClusterAgentPoolProfileArgs
        {
            Name = "system",
            Mode = AgentPoolMode.System,
            Count = settings.NodeCount,
            VmSize = settings.NodeVmSize,
            OsType = OSType.Linux,
            Type = AgentPoolType.VirtualMachineScaleSets,
        };
        // sshAccess is an AKS preview (the subscription registers DisableSSHPreview first): sent only when
        // istio-lab:nodeSshAccess asks for it, so a subscription without the preview can create the lab.
        if (settings.NodeSshAccess != NodeSshAccess.Unset)
        {
            pool.SecurityProfile = new AgentPoolSecurityProfileArgs
            {
                SshAccess = settings.NodeSshAccess == NodeSshAccess.Disabled ? AgentPoolSSHAccess.Disabled : AgentPoolSSHAccess.LocalUser,
            };
        }

        var clusterArgs = new ManagedClusterArgs
        {
            ResourceGroupName = group.Name,
            ResourceName = settings.ClusterName,
            Location = group.Location,
            DnsPrefix = settings.ClusterName,
            // Qualified: Pulumi.AzureNative.Resources defines a ResourceIdentityType too.
            Identity = new ManagedClusterIdentityArgs { Type = Pulumi.AzureNative.ContainerService.ResourceIdentityType.SystemAssigned },
            // One inline System pool only: inline pools cannot be added later without churn (pitfall 4).
            AgentPoolProfiles = { pool },
            ServiceMeshProfile = new ServiceMeshProfileArgs
            {
                Mode = ServiceMeshMode.Istio,
                Istio = istio,
            },
        };
        if (settings.KubernetesVersion is { } version)
        {
            clusterArgs.KubernetesVersion = version;
        }

        // Managed Prometheus's agent, and workload identity for the pods that read the workspace and write to
        // Grafana without a client secret. Off, the metrics profile says so; the OIDC issuer cannot be turned off
        // once on, so it is only ever sent on.
        clusterArgs.AzureMonitorProfile = new ManagedClusterAzureMonitorProfileArgs
        {
            Metrics = new ManagedClusterAzureMonitorProfileMetricsArgs { Enabled = settings.Observability },
        };
        if (settings.Observability)
        {
            clusterArgs.OidcIssuerProfile = new ManagedClusterOIDCIssuerProfileArgs { Enabled = true };
            clusterArgs.SecurityProfile = new ManagedClusterSecurityProfileArgs
            {
                WorkloadIdentity = new ManagedClusterSecurityProfileWorkloadIdentityArgs { Enabled = true },
            };
        }

        var clusterOptions = new CustomResourceOptions { Parent = this };
        if (beforeCluster?.Invoke(group) is { } first)
        {
            clusterOptions.DependsOn.Add(first);
        }

        Cluster = new ManagedCluster($"{name}-aks", clusterArgs, clusterOptions);

        // Credentials from the output-form invoke on names known at preview time, waiting for the cluster:
        // the kubeconfig stays known across cluster updates, so the provider is not replaced (pitfall 6).
        var credentials = ListManagedClusterUserCredentials.Invoke(
            new ListManagedClusterUserCredentialsInvokeArgs
            {
                ResourceGroupName = settings.ResourceGroupName,
                ResourceName = settings.ClusterName,
            },
            new InvokeOutputOptions { Parent = this, DependsOn = { Cluster } });
        KubeConfig = Output.CreateSecret(credentials.Apply(c => Encoding.UTF8.GetString(Convert.FromBase64String(c.Kubeconfigs[0].Value))));

        Provider = new Pulumi.Kubernetes.Provider($"{name}-k8s", new Pulumi.Kubernetes.ProviderArgs
        {
            KubeConfig = KubeConfig,
            EnableServerSideApply = true,
            // A destroy after the cluster is gone must not hang on its Kubernetes resources (pitfall 14).
            DeleteUnreachable = true,
        }, new CustomResourceOptions { Parent = this });

        ResourceGroupName = group.Name;
        OidcIssuerUrl = Cluster.OidcIssuerProfile.Apply(profile => profile?.IssuerURL ?? "");
        ClusterName = Cluster.Name;
        Revisions = Cluster.ServiceMeshProfile.Apply(profile =>
            profile?.Istio?.Revisions is { IsDefault: false } revisions ? revisions : ImmutableArray<string>.Empty);
        Revision = Revisions.Apply(revisions => MeshRevision.Select(revisions, settings.DataPlaneRevision));

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["resourceGroupName"] = ResourceGroupName,
            ["clusterName"] = ClusterName,
            ["revision"] = Revision,
            ["revisions"] = Revisions,
            ["kubeconfig"] = KubeConfig,
        });
    }
}
