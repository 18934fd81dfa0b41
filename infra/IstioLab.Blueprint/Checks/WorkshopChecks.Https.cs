using IstioLab.Blueprint.Https;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Checks;

/// <summary>How the HTTPS gateway check trusts the store's certificate.</summary>
public enum TlsVerification
{
    /// <summary>Against the lab's own CA, mounted from a ConfigMap: chain and host name verified.</summary>
    LabCa,

    /// <summary>Against the image's system trust store: chain and host name verified (Let's Encrypt production).</summary>
    SystemTrust,

    /// <summary>
    /// Let's Encrypt staging, which no trust store holds: the chain is not verified (<c>--insecure</c>), but the
    /// certificate the gateway presents must come from the staging CA, whose issuer names start with (STAGING).
    /// </summary>
    StagingIssuer,
}

public static partial class WorkshopChecks
{
    /// <summary>The issuer-name mark of every Let's Encrypt staging intermediate.</summary>
    public const string StagingIssuerMark = "(STAGING)";

    /// <summary>Where the self-signed check mounts the lab's CA, and the ConfigMap (in the outside namespace) it comes from.</summary>
    public const string CaDirectory = "/etc/istio-lab/ca";
    public const string CaFileName = "ca.crt";
    public const string CaConfigMapName = "store-ca";



    public static TlsVerification VerificationFor(HttpsOptions https)
    {
        ArgumentNullException.ThrowIfNull(https);
        return https.Mode switch
        {
            HttpsMode.SelfSigned => TlsVerification.LabCa,
            HttpsMode.LetsEncrypt when https.Acme == AcmeServer.Production => TlsVerification.SystemTrust,
            HttpsMode.LetsEncrypt => TlsVerification.StagingIssuer,
            _ => throw new ArgumentException("HTTPS is off: the gateway check runs over HTTP", nameof(https)),
        };
    }

    /// <summary>What the gateway check proves with HTTPS on, in the words of its verification.</summary>
    public static CheckDefinition HttpsGateway(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var how = VerificationFor(settings.Https) switch
        {
            TlsVerification.LabCa => "a certificate for the name that verifies against the lab's CA",
            TlsVerification.SystemTrust => "a certificate for the name that verifies against the system trust store",
            _ => $"a certificate from Let's Encrypt's staging CA (issuer {StagingIssuerMark}; not verified, staging is untrusted)",
        };
        return new CheckDefinition(Gateway.Name, $"https://<fqdn>/ serves the store page (HTTP 200, '{StoreTitle}') with {how}");
    }

    /// <summary>
    /// Through the store's DNS name over HTTPS: HTTP 200 and the store's title, with the certificate verified as
    /// <c>$TLS_VERIFY</c> says; for staging, the certificate chain curl reports must name a (STAGING) issuer.
    /// </summary>
    public const string HttpsGatewayScript = """
        i=1; rc=0; code=""; seen=""
        case "$TLS_VERIFY" in
          lab-ca) set -- --cacert "$CA_FILE" ;;
          staging-issuer) set -- --insecure ;;
          *) set -- ;;
        esac
        while [ "$i" -le "$ATTEMPTS" ]; do
          body=$(curl -s "$@" --max-time "$TIMEOUT_SECONDS" -w '\nCERTS:%{certs}\nHTTP_STATUS:%{http_code}' "$TARGET_URL"); rc=$?
          code=${body##*HTTP_STATUS:}
          if [ "$rc" -eq 0 ] && [ "$code" = "200" ] && printf '%s' "$body" | grep -qF "$EXPECT_TITLE"; then
            if [ -z "$EXPECT_ISSUER" ] || printf '%s' "${body##*CERTS:}" | grep -qF "$EXPECT_ISSUER"; then
              echo "PASS gateway: $TARGET_URL answered HTTP 200 with the page '$EXPECT_TITLE' over TLS ($TLS_VERIFY)"; exit 0
            fi
            seen=", but no certificate issuer containing '$EXPECT_ISSUER'"
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL gateway: after $ATTEMPTS attempts, $TARGET_URL gave curl exit $rc, HTTP '$code'${seen:- without '$EXPECT_TITLE'} ($TLS_VERIFY; curl exit 60 or 35: the certificate does not verify or TLS failed); check the Certificate or TLS Secret in aks-istio-ingress, the Gateway and the DNS name"
        exit 1
        """;

    /// <summary>Plain HTTP to the store's DNS name: a 301 whose Location is the same name over HTTPS.</summary>
    public const string RedirectScript = """
        i=1; rc=0; got=""
        while [ "$i" -le "$ATTEMPTS" ]; do
          got=$(curl -s -o /dev/null --max-time "$TIMEOUT_SECONDS" -w '%{http_code} %{redirect_url}' "$TARGET_URL"); rc=$?
          if [ "$rc" -eq 0 ]; then
            case "$got" in
              "301 $EXPECT_LOCATION"*) echo "PASS redirect: $TARGET_URL answered 301 to ${got#301 }"; exit 0 ;;
            esac
          fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        echo "FAIL redirect: after $ATTEMPTS attempts, $TARGET_URL gave curl exit $rc, '$got' (HTTP status and Location) instead of 301 to $EXPECT_LOCATION; check the Gateway's port-80 server (tls.httpsRedirect)"
        exit 1
        """;

    /// <summary>The lab's CA for the self-signed gateway check, in the namespace outside the mesh.</summary>
    public static V1ConfigMap CaConfigMap(LabSettings settings, string caCertificatePem)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePem);
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Kube.Meta(CaConfigMapName, settings.OutsideNamespace, HttpsManifest.Labels),
            Data = new Dictionary<string, string> { [CaFileName] = caCertificatePem },
        };
    }

    /// <summary>The gateway check over HTTPS, against the store's DNS name on <paramref name="ingressIp"/>.</summary>
    public static V1Job HttpsGatewayJob(LabSettings settings, string ingressIp, string? caCertificatePem)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(ingressIp);
        var verification = VerificationFor(settings.Https);
        if (verification == TlsVerification.LabCa && string.IsNullOrEmpty(caCertificatePem))
        {
            throw new ArgumentException("the self-signed gateway check needs the lab's CA certificate", nameof(caCertificatePem));
        }

        var mode = verification switch
        {
            TlsVerification.LabCa => "lab-ca",
            TlsVerification.SystemTrust => "system-trust",
            _ => "staging-issuer",
        };
        return Job(HttpsGateway(settings), settings.OutsideNamespace, HttpsGatewayScript, settings.Https.StoreUrl, inMesh: false,
            verified: [MeshManifest.StoreGateway(settings), MeshManifest.StoreRoute(settings), .. HttpsManifest.Build(settings, ingressIp), .. StoreManifest.Build(settings)],
            facts: [ingressIp, caCertificatePem ?? ""],
            extraEnv:
            [
                new V1EnvVar { Name = "EXPECT_TITLE", Value = StoreTitle },
                new V1EnvVar { Name = "TLS_VERIFY", Value = mode },
                new V1EnvVar { Name = "CA_FILE", Value = verification == TlsVerification.LabCa ? $"{CaDirectory}/{CaFileName}" : "" },
                new V1EnvVar { Name = "EXPECT_ISSUER", Value = verification == TlsVerification.StagingIssuer ? StagingIssuerMark : "" },
            ],
            customize: verification == TlsVerification.LabCa ? job => MountCa(job.Spec.Template.Spec) : null);
    }

    /// <summary>The redirect check: <c>http://&lt;fqdn&gt;/</c> answers 301 to <c>https://&lt;fqdn&gt;/</c>.</summary>
    public static V1Job RedirectJob(LabSettings settings, string ingressIp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(ingressIp);
        return Job(Redirect, settings.OutsideNamespace, RedirectScript, $"http://{settings.Https.Fqdn}/", inMesh: false,
            verified: [MeshManifest.StoreGateway(settings), MeshManifest.StoreRoute(settings), StaticAddress.GatewayServicePatch(settings)],
            facts: [ingressIp],
            extraEnv: [new V1EnvVar { Name = "EXPECT_LOCATION", Value = settings.Https.StoreUrl }]);
    }

    internal static void MountCa(V1PodSpec pod)
    {
        pod.Volumes = [new V1Volume { Name = "lab-ca", ConfigMap = new V1ConfigMapVolumeSource { Name = CaConfigMapName } }];
        pod.Containers.Single().VolumeMounts = [new V1VolumeMount { Name = "lab-ca", MountPath = CaDirectory, ReadOnlyProperty = true }];
    }
}
