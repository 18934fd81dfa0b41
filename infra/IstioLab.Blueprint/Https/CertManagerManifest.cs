using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Https;

/// <summary>The Helm chart the lab installs: where it comes from, its pinned version and its namespace.</summary>
/// <param name="Chart">The chart's name in its repository.</param>
/// <param name="Repository">The chart repository's URL.</param>
/// <param name="Version">The pinned chart version.</param>
/// <param name="Namespace">Where its namespaced objects go.</param>
public sealed record HelmChartSpec(string Chart, string Repository, string Version, string Namespace);

/// <summary>
/// <c>istio-lab:https=lets-encrypt</c>, after Microsoft's cert-manager sample for the add-on (Azure/AKS
/// examples/istio-based-service-mesh/security/cert-manager-letsencrypt): cert-manager from its chart; an IngressClass
/// <c>istio</c> and the two MeshConfig fields that make istiod serve the Ingress objects cert-manager's HTTP-01 solver
/// creates on the add-on's external gateway; a ClusterIssuer for the chosen Let's Encrypt directory; and a
/// Certificate for the store's FQDN whose Secret the Gateway presents.
/// </summary>
public static class CertManagerManifest
{
    public const string Namespace = "cert-manager";

    public static HelmChartSpec Chart { get; } = new("cert-manager", "https://charts.jetstack.io", "v1.19.1", Namespace);

    public const string IngressClassName = "istio";
    public const string IngressController = "istio.io/ingress-controller";

    public const string StagingDirectory = "https://acme-staging-v02.api.letsencrypt.org/directory";
    public const string ProductionDirectory = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>The provider waits, bounded, for the Certificate to be Ready, so a failed issuance fails the update.</summary>
    public const string WaitForAnnotation = "pulumi.com/waitFor";
    public const string WaitForReady = "condition=Ready";
    public const string TimeoutAnnotation = "pulumi.com/timeoutSeconds";
    public const int CertificateTimeoutSeconds = 600;

    public static CertManagerValues Values { get; } = new() { Crds = new CertManagerCrdValues { Enabled = true, Keep = true } };

    public static string Directory(AcmeServer server) => server == AcmeServer.Production ? ProductionDirectory : StagingDirectory;

    public static string IssuerName(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"letsencrypt-{LabSettings.AcmeServerNames.Single(p => p.Value == settings.Https.Acme).Key}";
    }

    public static V1Namespace CertManagerNamespace() => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = Kube.Meta(Namespace, null, HttpsManifest.Labels),
    };

    public static V1IngressClass IstioIngressClass() => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "IngressClass",
        Metadata = Kube.Meta(IngressClassName, null, HttpsManifest.Labels),
        Spec = new V1IngressClassSpec { Controller = IngressController },
    };

    /// <summary>The ACME issuer: its directory, the account key's Secret, and HTTP-01 through Istio's IngressClass.</summary>
    public static ClusterIssuer Issuer(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = IssuerName(settings);
        return new ClusterIssuer
        {
            Metadata = Kube.Meta(name, null, HttpsManifest.Labels),
            Spec = new ClusterIssuerSpec
            {
                Acme = new AcmeIssuer
                {
                    Server = Directory(settings.Https.Acme),
                    Email = settings.Https.AcmeEmail,
                    PrivateKeySecretRef = new SecretKeySelector { Name = $"{name}-account-key" },
                    Solvers = [new AcmeSolver { Http01 = new AcmeHttp01Solver { Ingress = new AcmeHttp01Ingress { IngressClassName = IngressClassName } } }],
                },
            },
        };
    }

    /// <summary>The store's certificate, in the gateway's namespace, written to the Secret the Gateway names.</summary>
    public static Certificate StoreCertificate(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var metadata = Kube.Meta(HttpsManifest.TlsSecretName(settings), MeshManifest.IngressNamespace, HttpsManifest.Labels);
        metadata.Annotations = new Dictionary<string, string>
        {
            [WaitForAnnotation] = WaitForReady,
            [TimeoutAnnotation] = CertificateTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new Certificate
        {
            Metadata = metadata,
            Spec = new CertificateSpec
            {
                SecretName = HttpsManifest.TlsSecretName(settings),
                DnsNames = [settings.Https.Fqdn],
                IssuerRef = new IssuerReference { Name = IssuerName(settings), Kind = ClusterIssuer.KindValue, Group = ClusterIssuer.Group },
                PrivateKey = new CertificatePrivateKey { Algorithm = "ECDSA", Size = 256, RotationPolicy = "Always" },
            },
        };
    }

    /// <summary>
    /// With Let's Encrypt, every revision's MeshConfig makes istiod serve Ingress objects on the add-on's external
    /// gateway (its pods' <c>istio</c> label) and report that gateway Service's address; otherwise
    /// <paramref name="mesh"/> is left as it is. These are the sample's two fields, both "allowed" by the add-on.
    /// <c>ingressControllerMode</c> is not set: the add-on blocks it, and Istio's own default (STRICT with ingress
    /// class <c>istio</c>, istio/istio pkg/config/mesh/mesh.go DefaultMeshConfig) already serves exactly the Ingress
    /// objects whose IngressClass names <see cref="IngressController"/>, which the solver's
    /// <c>ingressClassName: istio</c> does.
    /// </summary>
    public static void ServeAcmeSolver(LabSettings settings, MeshConfigData mesh)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(mesh);
        if (settings.Https.Mode != HttpsMode.LetsEncrypt)
        {
            return;
        }

        mesh.IngressService = MeshManifest.IngressServiceName;
        mesh.IngressSelector = MeshManifest.IngressSelectorValue;
    }
}
