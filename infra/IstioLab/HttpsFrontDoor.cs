using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.AzureNative.Authorization;
using Pulumi.AzureNative.Network;
using Pulumi.Kubernetes.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Kubernetes.Types.Inputs.Networking.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;
using Pulumi.Tls;
using Pulumi.Tls.Inputs;
using HelmChart = Pulumi.Kubernetes.Helm.V4.Chart;
using HelmChartArgs = Pulumi.Kubernetes.Types.Inputs.Helm.V4.ChartArgs;
using HelmRepositoryOptsArgs = Pulumi.Kubernetes.Types.Inputs.Helm.V4.RepositoryOptsArgs;
using ManagedCluster = Pulumi.AzureNative.ContainerService.ManagedCluster;
using PublicIPAddressDnsSettingsArgs = Pulumi.AzureNative.Network.Inputs.PublicIPAddressDnsSettingsArgs;
using PublicIPAddressSkuArgs = Pulumi.AzureNative.Network.Inputs.PublicIPAddressSkuArgs;
using ResourceGroup = Pulumi.AzureNative.Resources.ResourceGroup;

namespace IstioLab;

/// <summary>
/// The store's stable address: a Standard, Static public IP with the stack's DNS label in the lab's resource group.
/// It is created before the cluster, and the cluster waits for it, so a destroy removes the cluster (and the load
/// balancer holding the IP) before the IP.
/// </summary>
public sealed class HttpsAddress : ComponentResource
{
    public const string Type = "istiolab:index:HttpsAddress";

    public PublicIPAddress PublicIp { get; }

    /// <summary>The static IP's address, allocated when it is created.</summary>
    public Output<string> IpAddress { get; }

    public HttpsAddress(string name, LabSettings settings, ResourceGroup group, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(group);

        PublicIp = new PublicIPAddress($"{name}-ip", new PublicIPAddressArgs
        {
            ResourceGroupName = group.Name,
            PublicIpAddressName = StaticAddress.PublicIpName(settings),
            Location = settings.Location,
            Sku = new PublicIPAddressSkuArgs { Name = StaticAddress.SkuName, Tier = StaticAddress.SkuTier },
            PublicIPAllocationMethod = StaticAddress.AllocationMethod,
            PublicIPAddressVersion = StaticAddress.IpVersion,
            DnsSettings = new PublicIPAddressDnsSettingsArgs { DomainNameLabel = settings.Https.DnsLabel },
        }, new CustomResourceOptions { Parent = this });

        IpAddress = PublicIp.IpAddress.Apply(ip => ip ?? throw new InvalidOperationException(
            $"The static public IP {StaticAddress.PublicIpName(settings)} has no address: a Static IP gets one when it is created."));

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["ipAddress"] = IpAddress,
        });
    }
}

/// <summary>What HTTPS needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings, with HTTPS on.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Cluster">The cluster, whose system identity attaches the IP and whose add-on owns the gateway Service.</param>
/// <param name="ResourceGroupName">The lab's resource group, which holds the IP.</param>
/// <param name="Address">The static IP.</param>
/// <param name="IngressWait">The bounded wait until the add-on's gateway Service exists (and its service account).</param>
/// <param name="MeshConfig">Every revision's shared MeshConfig, which serves the ACME solver on the gateway.</param>
public sealed record HttpsFrontDoorArgs(
    LabSettings Settings, ProviderResource Provider, ManagedCluster Cluster, Output<string> ResourceGroupName,
    HttpsAddress Address, Resource IngressWait, Resource MeshConfig);

/// <summary>
/// HTTPS for the store: Network Contributor for the cluster's identity on the lab's resource group, the add-on's
/// gateway Service patched (server-side apply, its own field manager, never owned) onto the static IP, a bounded
/// wait until it uses it, and the certificate: self-signed by the Pulumi TLS provider, or Let's Encrypt through
/// cert-manager. The Gateway's HTTPS server and redirect come from the blueprint with the rest of the mesh.
/// </summary>
public sealed class HttpsFrontDoor : ComponentResource
{
    public const string Type = "istiolab:index:Https";

    /// <summary>The annotation the Kubernetes provider reads for a patch's server-side-apply field manager.</summary>
    public const string PatchFieldManagerAnnotation = "pulumi.com/patchFieldManager";

    public RoleAssignment NetworkContributor { get; }
    public ServicePatch GatewayServicePatch { get; }

    /// <summary>The Job that waits, bounded, until the gateway Service uses the static IP.</summary>
    public ConfigGroup StaticAddressWait { get; }

    /// <summary>self-signed: the TLS Secret; lets-encrypt: the Certificate (waited for until Ready).</summary>
    public Resource Certificate { get; }

    /// <summary>The CA to trust (self-signed only; null for Let's Encrypt).</summary>
    public Output<string>? CaCertificate { get; }

    public Output<string> IngressIp { get; }
    public Output<string> StoreFqdn { get; }
    public Output<string> StoreUrl { get; }

    /// <summary>Everything the checks must wait for.</summary>
    public IReadOnlyList<Resource> Ready => [StaticAddressWait, Certificate];

    public HttpsFrontDoor(string name, HttpsFrontDoorArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        if (!settings.Https.Enabled)
        {
            throw new ArgumentException("HTTPS is off", nameof(args));
        }

        // Network Contributor on the IP's group, so the cloud provider may put the IP on the cluster's load balancer.
        var client = GetClientConfig.Invoke(new InvokeOutputOptions { Parent = this });
        var subscription = client.Apply(c => c.SubscriptionId);
        NetworkContributor = new RoleAssignment($"{name}-network-contributor", new RoleAssignmentArgs
        {
            RoleAssignmentName = subscription.Apply(id => StaticAddress.RoleAssignmentName(settings, id).ToString()),
            Scope = Output.Tuple(subscription, args.ResourceGroupName).Apply(t => StaticAddress.ResourceGroupScope(t.Item1, t.Item2)),
            RoleDefinitionId = subscription.Apply(StaticAddress.RoleDefinitionId),
            PrincipalId = args.Cluster.Identity.Apply(identity => identity?.PrincipalId is { Length: > 0 } id
                ? id
                : throw new InvalidOperationException("The cluster reports no system-assigned identity (identity.principalId) to grant Network Contributor to.")),
            PrincipalType = StaticAddress.PrincipalType,
        }, new CustomResourceOptions
        {
            Parent = this,
            // The name is fixed (a GUID of the stack's names and subscription): a new principal must remove the old
            // assignment first, or Azure refuses the new one (RoleAssignmentUpdateNotPermitted).
            DeleteBeforeReplace = true,
        });

        // Server-side apply of two annotations under the lab's own field manager. A patch never owns the Service:
        // deleting it gives those fields back and leaves the add-on's Service in place.
        var patch = StaticAddress.GatewayServicePatch(settings);
        GatewayServicePatch = new ServicePatch($"{name}-gateway-service", new ServicePatchArgs
        {
            Metadata = new ObjectMetaPatchArgs
            {
                Name = patch.Metadata.Name,
                Namespace = patch.Metadata.NamespaceProperty,
                Annotations = new Dictionary<string, string>(patch.Metadata.Annotations)
                {
                    [PatchFieldManagerAnnotation] = StaticAddress.FieldManager,
                },
            },
        }, new CustomResourceOptions
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = { args.Cluster, NetworkContributor, args.Address.PublicIp, args.IngressWait },
        });

        StaticAddressWait = new ConfigGroup($"{name}-static-ip-wait", new ConfigGroupArgs
        {
            Yaml = args.Address.IpAddress.Apply(ip => HttpsManifest.StaticAddressWaitYaml(settings, ip)),
        }, new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { GatewayServicePatch, args.IngressWait } });

        if (settings.Https.Mode == HttpsMode.SelfSigned)
        {
            (Certificate, CaCertificate) = SelfSigned(name, settings, args);
        }
        else
        {
            Certificate = LetsEncrypt(name, settings, args, StaticAddressWait);
        }

        IngressIp = args.Address.IpAddress;
        StoreFqdn = Output.Create(settings.Https.Fqdn);
        StoreUrl = Output.Create(settings.Https.StoreUrl);

        var outputs = new Dictionary<string, object?>
        {
            ["ingressIp"] = IngressIp,
            ["storeFqdn"] = StoreFqdn,
            ["storeUrl"] = StoreUrl,
        };
        if (CaCertificate is not null)
        {
            outputs["caCertificate"] = CaCertificate;
        }

        RegisterOutputs(outputs);
    }

    /// <summary>A lab CA and a server certificate for the FQDN; the keys stay secrets in state and in the TLS Secret.</summary>
    private (Resource Secret, Output<string> CaCertificate) SelfSigned(string name, LabSettings settings, HttpsFrontDoorArgs args)
    {
        var key = SelfSignedTls.Key;
        PrivateKey NewKey(string suffix) => new($"{name}-{suffix}", new PrivateKeyArgs { Algorithm = key.Algorithm, EcdsaCurve = key.EcdsaCurve }, new CustomResourceOptions { Parent = this });

        var authority = SelfSignedTls.Authority(settings);
        var caKey = NewKey("ca-key");
        var ca = new SelfSignedCert($"{name}-ca", new SelfSignedCertArgs
        {
            PrivateKeyPem = caKey.PrivateKeyPem,
            Subject = new SelfSignedCertSubjectArgs { CommonName = authority.CommonName, Organization = authority.Organization },
            IsCaCertificate = authority.IsCaCertificate,
            ValidityPeriodHours = authority.ValidityPeriodHours,
            EarlyRenewalHours = authority.EarlyRenewalHours,
            AllowedUses = [.. authority.AllowedUses],
        }, new CustomResourceOptions { Parent = this });

        var server = SelfSignedTls.Server(settings);
        var serverKey = NewKey("server-key");
        var request = new CertRequest($"{name}-server-request", new CertRequestArgs
        {
            PrivateKeyPem = serverKey.PrivateKeyPem,
            Subject = new CertRequestSubjectArgs { CommonName = server.CommonName, Organization = server.Organization },
            DnsNames = [.. server.DnsNames],
        }, new CustomResourceOptions { Parent = this });
        var certificate = new LocallySignedCert($"{name}-server", new LocallySignedCertArgs
        {
            CertRequestPem = request.CertRequestPem,
            CaPrivateKeyPem = caKey.PrivateKeyPem,
            CaCertPem = ca.CertPem,
            ValidityPeriodHours = server.ValidityPeriodHours,
            EarlyRenewalHours = server.EarlyRenewalHours,
            AllowedUses = [.. server.AllowedUses],
        }, new CustomResourceOptions { Parent = this });

        var secret = SelfSignedTls.TlsSecret(settings, HttpsManifest.CertificatePlaceholder, HttpsManifest.PrivateKeyPlaceholder);
        var tls = new Secret($"{name}-tls", new SecretArgs
        {
            Metadata = KubeArgs.Meta(secret.Metadata),
            Type = secret.Type,
            StringData =
            {
                [SelfSignedTls.CertificateKey] = certificate.CertPem,
                [SelfSignedTls.PrivateKeyKey] = Output.CreateSecret(serverKey.PrivateKeyPem),
            },
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster } });

        return (tls, ca.CertPem);
    }

    /// <summary>
    /// cert-manager from its pinned chart, the IngressClass, the ClusterIssuer and the Certificate, each a custom
    /// resource with an explicit namespace created after the chart installed its CRDs (pitfall 7). The Certificate
    /// waits for the static IP (its DNS name must reach the gateway) and for the MeshConfig that serves the solver.
    /// </summary>
    private SpecResource LetsEncrypt(string name, LabSettings settings, HttpsFrontDoorArgs args, Resource staticAddressWait)
    {
        var ns = new Namespace($"{name}-cert-manager-ns", new NamespaceArgs
        {
            Metadata = KubeArgs.Meta(CertManagerManifest.CertManagerNamespace().Metadata),
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster } });

        var spec = CertManagerManifest.Chart;
        var chart = new HelmChart($"{name}-cert-manager", new HelmChartArgs
        {
            Chart = spec.Chart,
            Version = spec.Version,
            Namespace = spec.Namespace,
            RepositoryOpts = new HelmRepositoryOptsArgs { Repo = spec.Repository },
            Values = new Dictionary<string, object>(PlainTree.Of(CertManagerManifest.Values)),
        }, new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, ns } });

        var ingressClass = CertManagerManifest.IstioIngressClass();
        var istioClass = new Pulumi.Kubernetes.Networking.V1.IngressClass($"{name}-ingress-class", new IngressClassArgs
        {
            Metadata = KubeArgs.Meta(ingressClass.Metadata),
            Spec = new IngressClassSpecArgs { Controller = ingressClass.Spec.Controller },
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster } });

        var issuer = new SpecResource($"{name}-issuer", SpecResourceArgs.From(CertManagerManifest.Issuer(settings)),
            new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { chart } });

        return new SpecResource($"{name}-certificate", SpecResourceArgs.From(CertManagerManifest.StoreCertificate(settings)),
            new CustomResourceOptions
            {
                Parent = this,
                Provider = args.Provider,
                DependsOn = { chart, issuer, istioClass, staticAddressWait, args.MeshConfig },
            });
    }
}
