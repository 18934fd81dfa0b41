using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Https;

/// <summary>
/// The store over HTTPS: the Gateway's two servers, and every Kubernetes object HTTPS adds, in the order they
/// must exist. Port 80 answers every request with a 301 to HTTPS, except the HTTP-01 challenges of Let's Encrypt:
/// cert-manager's solver Ingress names the store's FQDN exactly, so istiod gives it a virtual host of its own on
/// port 80, and Envoy picks an exact host over the Gateway's <c>*</c>, whose virtual host carries the redirect.
/// </summary>
public static class HttpsManifest
{
    public const int HttpPort = 80;
    public const int HttpsPort = 443;

    /// <summary>What the render command prints where the certificate and its key are known only at deploy time.</summary>
    public const string CertificatePlaceholder = "certificate-pem-known-at-deploy-time";
    public const string PrivateKeyPlaceholder = "private-key-pem-set-from-a-pulumi-secret";
    public const string CaCertificatePlaceholder = "ca-certificate-pem-known-at-deploy-time";

    public static Dictionary<string, string> Labels => new()
    {
        ["app.kubernetes.io/part-of"] = Kube.ManagedBy,
        ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
    };

    /// <summary>The <c>kubernetes.io/tls</c> Secret in the gateway's namespace: the HTTPS server's <c>credentialName</c>.</summary>
    public static string TlsSecretName(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"{settings.AppNamespace}-store-tls";
    }

    /// <summary>Port 80 redirecting to HTTPS, and port 443 terminating TLS with the store's certificate.</summary>
    public static List<GatewayServer> GatewayServers(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new GatewayServer
            {
                Port = new GatewayPort { Number = HttpPort, Name = "http", Protocol = "HTTP" },
                Hosts = ["*"],
                Tls = new ServerTlsSettings { HttpsRedirect = true },
            },
            new GatewayServer
            {
                Port = new GatewayPort { Number = HttpsPort, Name = "https", Protocol = "HTTPS" },
                Hosts = ["*"],
                Tls = new ServerTlsSettings { Mode = "SIMPLE", CredentialName = TlsSecretName(settings) },
            },
        ];
    }

    /// <summary>
    /// Every Kubernetes object HTTPS adds, for a gateway on <paramref name="staticIp"/>: the patch of the add-on's
    /// Service, the wait until it uses the IP, then the certificate's source. cert-manager's chart is not an object
    /// of the lab's and is not listed. Empty when HTTPS is off.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, string staticIp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Https.Mode switch
        {
            HttpsMode.SelfSigned =>
            [
                StaticAddress.GatewayServicePatch(settings),
                IngressAddressWait.StaticAddressJob(settings, staticIp),
                SelfSignedTls.TlsSecret(settings, CertificatePlaceholder, PrivateKeyPlaceholder),
            ],
            HttpsMode.LetsEncrypt =>
            [
                StaticAddress.GatewayServicePatch(settings),
                IngressAddressWait.StaticAddressJob(settings, staticIp),
                CertManagerManifest.CertManagerNamespace(),
                CertManagerManifest.IstioIngressClass(),
                CertManagerManifest.Issuer(settings),
                CertManagerManifest.StoreCertificate(settings),
            ],
            _ => [],
        };
    }

    /// <summary>The wait for the static IP alone: what the Pulumi program's static-IP wait ConfigGroup applies.</summary>
    public static string StaticAddressWaitYaml(LabSettings settings, string staticIp) =>
        KubernetesYaml.SerializeAll([IngressAddressWait.StaticAddressJob(settings, staticIp)]);
}
