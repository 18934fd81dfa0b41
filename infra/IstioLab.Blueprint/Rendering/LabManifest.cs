using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Rendering;

/// <summary>
/// Every object the lab puts in the cluster, in the order they must exist: namespace first, then the
/// credentials Secret, the store's ServiceAccounts, the store, the mesh objects, the AuthorizationPolicies (allow-list
/// or dry-run), the egress lockdown (its ServiceEntries, then its Sidecar), and the checks with their ServiceAccounts.
/// Rendering is deterministic: the same settings give byte-identical YAML.
/// </summary>
public static class LabManifest
{
    /// <summary>What the render command prints where the live value is only known at deploy time.</summary>
    public const string RevisionPlaceholder = "cluster-default-revision";
    public const string PasswordPlaceholder = "placeholder-set-from-a-pulumi-secret";
    public const string IngressIpPlaceholder = "ingress-ip-known-at-deploy-time.invalid";

    /// <summary>The Istio kinds, so that <see cref="Load"/> reads them back as typed objects.</summary>
    public static IReadOnlyDictionary<string, Type> IstioTypeMap { get; } = new Dictionary<string, Type>
    {
        [$"{PeerAuthentication.ApiVersionValue}/{PeerAuthentication.KindValue}"] = typeof(PeerAuthentication),
        [$"{Gateway.ApiVersionValue}/{Gateway.KindValue}"] = typeof(Gateway),
        [$"{VirtualService.ApiVersionValue}/{VirtualService.KindValue}"] = typeof(VirtualService),
        [$"{DestinationRule.ApiVersionValue}/{DestinationRule.KindValue}"] = typeof(DestinationRule),
        [$"{AuthorizationPolicy.ApiVersionValue}/{AuthorizationPolicy.KindValue}"] = typeof(AuthorizationPolicy),
        [$"{Sidecar.ApiVersionValue}/{Sidecar.KindValue}"] = typeof(Sidecar),
        [$"{ServiceEntry.ApiVersionValue}/{ServiceEntry.KindValue}"] = typeof(ServiceEntry),
        [$"{ClusterIssuer.ApiVersionValue}/{ClusterIssuer.KindValue}"] = typeof(ClusterIssuer),
        [$"{Certificate.ApiVersionValue}/{Certificate.KindValue}"] = typeof(Certificate),
        [$"{RequestAuthentication.ApiVersionValue}/{RequestAuthentication.KindValue}"] = typeof(RequestAuthentication),
    };

    /// <summary>All objects of a stack, given the values known only at deploy time; the checks last, when enabled.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, string revision, string rabbitMqPassword, string ingressIp) =>
        Build(settings, revision, rabbitMqPassword, ingressIp, MonitoringFacts.Placeholders);

    /// <summary>All objects of a stack, with the observability objects' Azure facts given too.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, string revision, string rabbitMqPassword, string ingressIp, MonitoringFacts monitoring)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Reaches(WorkshopSteps.Store))
        {
            // Step 1 is Azure only: the cluster and the add-on.
            return [];
        }

        return
        [
            .. MeshRevisionsFor(settings, revision).Select(r => SharedMeshConfig.For(settings, r)),
            MeshManifest.ApplicationNamespace(settings, revision),
            StoreManifest.RabbitMqSecret(settings, rabbitMqPassword),
            .. StoreManifest.ServiceAccounts(settings),
            .. StoreManifest.Build(settings),
            .. Traffic.TrafficManifest.Build(settings),
            .. settings.Reaches(WorkshopSteps.MutualTls) ? [MeshManifest.StrictMutualTls(settings)] : Array.Empty<IKubernetesObject<V1ObjectMeta>>(),
            .. settings.Reaches(WorkshopSteps.Ingress)
                ? [MeshManifest.StoreGateway(settings), MeshManifest.StoreRoute(settings)]
                : Array.Empty<IKubernetesObject<V1ObjectMeta>>(),
            .. AuthorizationManifest.Build(settings),
            .. EgressManifest.Build(settings),
            .. settings.UserAuth.Enabled ? UserIdentityManifest.Build(settings, UserIdentityManifest.Placeholder(settings)) : [],
            .. settings.Reaches(WorkshopSteps.Ingress) ? IngressAddressWait.Build(settings) : [],
            .. HttpsManifest.Build(settings, ingressIp),
            .. settings.Observability && settings.Reaches(WorkshopSteps.Observe) ? MonitoringYamlObjects(settings, monitoring) : [],
            .. settings.Checks
                ? [.. WorkshopChecks.ServiceAccounts(settings), .. WorkshopChecks.Build(settings, revision, ingressIp, HttpsManifest.CaCertificatePlaceholder)]
                : Array.Empty<IKubernetesObject<V1ObjectMeta>>(),
            .. settings.Checks ? RestartsObjects(settings, revision, ingressIp, HttpsManifest.CaCertificatePlaceholder) : [],
            .. settings.UserAuth.Enabled
                ? IdentityCheck.Build(settings, UserIdentityManifest.Placeholder(settings), IdentityCheck.PlaceholderTokens(settings), ingressIp, HttpsManifest.CaCertificatePlaceholder)
                : [],
        ];
    }

    /// <summary>The restarts check, after the Jobs of the other checks (see <see cref="RestartsCheck"/>).</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> RestartsObjects(LabSettings settings, string revision, string ingressIp, string? caCertificatePem = null) =>
        RestartsCheck.Build(settings, revision, [.. WorkshopChecks.Build(settings, revision, ingressIp, caCertificatePem).OfType<V1Job>()]);

    /// <summary>The restarts check as YAML, for the Pulumi program's ConfigGroup.</summary>
    public static string RestartsYaml(LabSettings settings, string revision, string ingressIp, string? caCertificatePem = null) =>
        ToYaml(RestartsObjects(settings, revision, ingressIp, caCertificatePem));

    /// <summary>The revisions the cluster runs: the configured ones, else the one the cluster reports (<paramref name="clusterRevision"/>).</summary>
    public static IReadOnlyList<string> MeshRevisionsFor(LabSettings settings, string clusterRevision)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.MeshRevisions.Count > 0 ? settings.MeshRevisions : [clusterRevision];
    }

    /// <summary>The checks alone (their namespace and Jobs): what the Pulumi program's checks ConfigGroup applies.</summary>
    public static string ChecksYaml(LabSettings settings, string revision, string ingressIp, string? caCertificatePem = null) =>
        ToYaml(WorkshopChecks.Build(settings, revision, ingressIp, caCertificatePem));

    /// <summary>The wait for the gateway's public IP: what the Pulumi program's ingress-wait ConfigGroup applies.</summary>
    public static string IngressWaitYaml(LabSettings settings) => ToYaml(IngressAddressWait.Build(settings));

    /// <summary>The monitoring objects and Kiali's login account: what the Pulumi program's monitoring ConfigGroup applies.</summary>
    public static string MonitoringYaml(LabSettings settings, MonitoringFacts facts) => ToYaml(MonitoringYamlObjects(settings, facts));

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> MonitoringYamlObjects(LabSettings settings, MonitoringFacts facts) =>
        [.. MonitoringManifest.Build(settings, facts), .. Kiali.Login()];

    /// <summary>Traffic management's store-front-v2 alone: what the Pulumi program's traffic ConfigGroup applies (its Istio objects are typed resources).</summary>
    public static string TrafficWorkloadsYaml(LabSettings settings) => ToYaml(Traffic.TrafficManifest.Workloads(settings));

    /// <summary>The store alone (no namespace, no Secret, no Istio objects): what the Pulumi program's ConfigGroup applies.</summary>
    public static string StoreYaml(LabSettings settings) => ToYaml(StoreManifest.Build(settings));

    /// <summary>Multi-document YAML, one document per object, in the given order.</summary>
    public static string ToYaml(IEnumerable<object> objects) => KubernetesYaml.SerializeAll(objects);

    /// <summary>Reads multi-document YAML back into typed objects, rejecting any field a type does not declare.</summary>
    public static List<object> Load(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, IstioTypeMap.ToDictionary(p => p.Key, p => p.Value), strict: true);
}
