using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Https;

/// <summary>A private key the Pulumi TLS provider generates and keeps in state as a secret.</summary>
/// <param name="Algorithm">RSA, ECDSA or ED25519.</param>
/// <param name="EcdsaCurve">The curve for ECDSA keys.</param>
public sealed record TlsKeySpec(string Algorithm, string EcdsaCurve);

/// <summary>A certificate the Pulumi TLS provider issues: a self-signed CA, or a server certificate it signs.</summary>
/// <param name="CommonName">The subject's common name.</param>
/// <param name="Organization">The subject's organization.</param>
/// <param name="DnsNames">The names it is valid for (none for the CA).</param>
/// <param name="ValidityPeriodHours">How long it is valid from creation.</param>
/// <param name="EarlyRenewalHours">How long before expiry a <c>pulumi up</c> replaces it.</param>
/// <param name="IsCaCertificate">Whether it may sign other certificates.</param>
/// <param name="AllowedUses">Key usages and extended key usages, in the TLS provider's spelling.</param>
public sealed record TlsCertificateSpec(
    string CommonName, string Organization, IReadOnlyList<string> DnsNames, int ValidityPeriodHours, int EarlyRenewalHours,
    bool IsCaCertificate, IReadOnlyList<string> AllowedUses);

/// <summary>
/// <c>istio-lab:https=self-signed</c>: a lab CA and a server certificate for the store's FQDN, both made by the
/// Pulumi TLS provider, the server's certificate and key in the <c>kubernetes.io/tls</c> Secret the Gateway names.
/// Clients trust the CA (the <c>caCertificate</c> stack output) with <c>curl --cacert</c>.
/// </summary>
public static class SelfSignedTls
{
    public const string Organization = "IstioLab";

    /// <summary>The Secret's data keys that Istio reads.</summary>
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";

    /// <summary>ECDSA P-256: small, fast, and accepted by every current client.</summary>
    public static TlsKeySpec Key { get; } = new("ECDSA", "P256");

    /// <summary>Ten years: users trust the CA once; replacing it means trusting a new one.</summary>
    public const int AuthorityValidityHours = 87600;

    /// <summary>One year, replaced by the first <c>pulumi up</c> in its last 30 days.</summary>
    public const int ServerValidityHours = 8760;
    public const int EarlyRenewalHours = 720;

    public static TlsCertificateSpec Authority(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new TlsCertificateSpec($"{Organization} CA for {settings.ClusterName}", Organization, [], AuthorityValidityHours, EarlyRenewalHours,
            IsCaCertificate: true, AllowedUses: ["cert_signing", "crl_signing", "digital_signature"]);
    }

    public static TlsCertificateSpec Server(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var fqdn = settings.Https.Fqdn;
        return new TlsCertificateSpec(fqdn, Organization, [fqdn], ServerValidityHours, EarlyRenewalHours,
            IsCaCertificate: false, AllowedUses: ["digital_signature", "key_encipherment", "server_auth"]);
    }

    /// <summary>The Secret the Gateway's HTTPS server presents; it lives in the gateway's namespace, as Istio requires.</summary>
    public static V1Secret TlsSecret(LabSettings settings, string certificatePem, string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "kubernetes.io/tls",
            Metadata = Kube.Meta(HttpsManifest.TlsSecretName(settings), MeshManifest.IngressNamespace, HttpsManifest.Labels),
            StringData = new Dictionary<string, string>
            {
                [CertificateKey] = certificatePem,
                [PrivateKeyKey] = privateKeyPem,
            },
        };
    }
}
