using System.Globalization;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Identity;

/// <summary>
/// One request the identity check makes through the gateway, and the status it must get.
/// </summary>
/// <param name="Name">The property's short name, printed on its PASS/FAIL line.</param>
/// <param name="Token">Which token is sent: <c>none</c>, or a key of the check's token Secret.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path on the store's address.</param>
/// <param name="Expect">The status as a shell pattern: <c>200</c>, <c>2??</c> (any 2xx), <c>401</c>, <c>403</c>.</param>
/// <param name="Says">What the outcome proves.</param>
public sealed record IdentityProbe(string Name, string Token, string Method, string Path, string Expect, string Says);

/// <summary>
/// The <c>identity</c> check: from outside the mesh, through the store's public address, the gateway refuses and admits
/// callers as <see cref="GatewayAccess"/> says. It runs after the workshop's checks (and so after <c>gateway</c>), in a
/// group of its own, because its tokens reach it as a Secret that the Pulumi program fills with secret values; neither
/// the Job nor its spec ever holds a token. With Entra ID the check has no user's token, so it proves what it can
/// without one (anonymous and forged callers) and says so.
/// </summary>
public static class IdentityCheck
{
    public const string Name = "identity";

    /// <summary>The Secret (in the namespace outside the mesh) with one key per token the check sends.</summary>
    public const string SecretName = "identity-check-tokens";

    public const string TokenDirectory = "/etc/istio-lab/tokens";

    /// <summary>Token names: none is sent as no Authorization header at all.</summary>
    public const string NoToken = "none";
    public const string ForgedToken = "forged";
    public const string CustomerToken = "customer";
    public const string AdminToken = "admin";

    /// <summary>What the render prints for a token.</summary>
    public const string TokenPlaceholder = "token-set-from-a-pulumi-secret";

    /// <summary>A small, valid order (store-front's ShoppingCartView posts customerId and items); it does reach the queue.</summary>
    public const string OrderBody = """{"customerId":"istio-lab-identity-check","items":[{"productId":1,"quantity":1,"price":1}]}""";

    public const int Attempts = 12;
    public const int IntervalSeconds = 10;

    /// <summary>Above <see cref="Attempts"/> × (7 probes × <see cref="WorkshopChecks.RequestTimeoutSeconds"/> + <see cref="IntervalSeconds"/>).</summary>
    public const long ActiveDeadlineSeconds = 600;

    public static CheckDefinition Definition(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var proves = settings.UserAuth.Mode == UserAuthMode.LabIssuer
            ? "at the gateway, anonymous browsing is served, an anonymous order is refused (403), a forged token is refused (401), the customer's token places an order and is refused the admin API (403)"
                + (HasAdminRead(settings) ? ", and the admin's token reaches the admin API" : " (the quickstart store has no admin API to read, so the admin's access is not exercised)")
            : "at the gateway, anonymous browsing is served, an anonymous order is refused (403) and a forged token is refused (401); with Entra ID the check holds no user's token, so signed-in access is for you to try";
        return new CheckDefinition(Name, proves);
    }

    /// <summary>The tokens the check sends, by name; each is a key of <see cref="SecretName"/>.</summary>
    public static IReadOnlyList<string> TokenNames(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.UserAuth.Mode == UserAuthMode.LabIssuer ? [ForgedToken, CustomerToken, AdminToken] : [ForgedToken];
    }

    /// <summary>The requests of the check, in the order it makes them.</summary>
    public static IReadOnlyList<IdentityProbe> Probes(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var order = GatewayAccess.OrderApi;
        List<IdentityProbe> probes =
        [
            new("anonymous-browse", NoToken, "GET", "/", "200", "browsing stays public"),
            new("anonymous-order", NoToken, "POST", order, "403", "placing an order needs a signed-in caller"),
            new("forged-browse", ForgedToken, "GET", "/", "401", "a token signed by another key is refused, even on a public page"),
            new("forged-order", ForgedToken, "POST", order, "401", "a token signed by another key is refused"),
        ];
        if (settings.UserAuth.Mode == UserAuthMode.LabIssuer)
        {
            var (adminMethod, adminPath) = AdminRequest(settings);
            probes.Add(new("customer-order", CustomerToken, "POST", order, "2??", "a signed-in customer places an order"));
            probes.Add(new("customer-admin", CustomerToken, adminMethod, adminPath, "403", $"the admin API needs the {GatewayAccess.AdminRole} role"));
            if (HasAdminRead(settings))
            {
                probes.Add(new("admin-admin", AdminToken, adminMethod, adminPath, "200", $"a caller with the {GatewayAccess.AdminRole} role reaches the admin API"));
            }
        }

        return probes;
    }

    /// <summary>
    /// The admin request the check makes: the admin UI's own read of the order queue where the store has one; in the
    /// quickstart store a product update, which the gateway refuses before it reaches the store (so it is never admitted).
    /// </summary>
    public static (string Method, string Path) AdminRequest(LabSettings settings) =>
        HasAdminRead(settings) ? ("GET", GatewayAccess.AdminOrderQueue) : ("PUT", GatewayAccess.ProductApi);

    private static bool HasAdminRead(LabSettings settings) => GatewayAccess.Rules(settings).Any(r => r.Name == "order-processing");

    /// <summary>
    /// Makes every probe, and again those that did not get their status yet (the policies may still be reaching the
    /// gateway), then prints one PASS or FAIL line per probe. A 000 is no answer, a 401 a rejected token, a 403 the
    /// policy's refusal, a 2xx a request let through.
    /// </summary>
    public const string Script = """
        case "$TLS_VERIFY" in
          lab-ca) tls="--cacert $CA_FILE" ;;
          staging-issuer) tls="--insecure" ;;
          *) tls="" ;;
        esac
        pending=$PROBES; results=""; i=1
        while [ -n "$pending" ] && [ "$i" -le "$ATTEMPTS" ]; do
          if [ "$i" -gt 1 ]; then sleep "$INTERVAL_SECONDS"; fi
          still=""
          while IFS='|' read -r name token method path expect says; do
            [ -n "$name" ] || continue
            auth=""
            if [ "$token" != none ]; then auth="Authorization: Bearer $(cat "$TOKEN_DIR/$token")"; fi
            case "$method" in
              POST|PUT) code=$(curl -s -o /dev/null -w '%{http_code}' $tls --max-time "$TIMEOUT_SECONDS" -X "$method" ${auth:+-H "$auth"} -H 'Content-Type: application/json' --data "$ORDER_BODY" "$TARGET_URL$path") ;;
              *) code=$(curl -s -o /dev/null -w '%{http_code}' $tls --max-time "$TIMEOUT_SECONDS" -X "$method" ${auth:+-H "$auth"} "$TARGET_URL$path") ;;
            esac
            case "$code" in
              $expect) results="$results
        PASS $name $code" ;;
              *) results="$results
        LAST $name $code"; still="$still
        $name|$token|$method|$path|$expect|$says" ;;
            esac
          done <<PENDING
        $pending
        PENDING
          pending=$still; i=$((i + 1))
        done
        failed=0
        while IFS='|' read -r name token method path expect says; do
          [ -n "$name" ] || continue
          passed=$(printf '%s\n' "$results" | sed -n "s/^PASS $name //p" | tail -n 1)
          if [ -n "$passed" ]; then
            echo "PASS identity $name: $method $path with token '$token' answered $passed: $says"
          else
            code=$(printf '%s\n' "$results" | sed -n "s/^LAST $name //p" | tail -n 1)
            case "$code" in
              000) hint="no answer from the gateway" ;;
              401) hint="the gateway rejected the token: issuer, audience, signing key or expiry (see docs/user-identity.md)" ;;
              403) hint="the gateway's policy refused the request, or the token's audience is not the stack's" ;;
              2*) hint="the request went through: does the AuthorizationPolicy select the gateway's pods (istio=aks-istio-ingressgateway-external)?" ;;
              *) hint="the store answered after the gateway let the request through" ;;
            esac
            echo "FAIL identity $name: $method $path with token '$token' answered '$code', not $expect, after $ATTEMPTS attempts ($hint): $says"
            failed=1
          fi
        done <<ALL
        $PROBES
        ALL
        if [ -n "$NOTE" ]; then echo "NOTE identity: $NOTE"; fi
        exit "$failed"
        """;

    /// <summary>The store's address without the trailing slash: the gateway's IP over HTTP, or the DNS name over HTTPS.</summary>
    public static string BaseUrl(LabSettings settings, string ingressIp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Https.Enabled ? settings.Https.StoreUrl.TrimEnd('/') : $"http://{ingressIp}";
    }

    /// <summary>The check's tokens as a Secret in the namespace outside the mesh.</summary>
    public static V1Secret TokenSecret(LabSettings settings, IReadOnlyDictionary<string, string> tokens)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(tokens);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = Kube.Meta(SecretName, settings.OutsideNamespace, Kube.Labels(SecretName, "check", "1", partOf: Kube.ManagedBy)),
            Type = "Opaque",
            StringData = TokenNames(settings).ToDictionary(name => name, name => tokens[name]),
        };
    }

    /// <summary>The Job, which mounts <see cref="SecretName"/> and names the objects it verifies in its hash.</summary>
    public static V1Job Job(LabSettings settings, TokenIssuer issuer, string ingressIp, string? caCertificatePem)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentException.ThrowIfNullOrEmpty(ingressIp);
        var https = settings.Https.Enabled;
        var verification = https ? WorkshopChecks.VerificationFor(settings.Https) : (TlsVerification?)null;
        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
        var probes = string.Join("\n", Probes(settings).Select(p => string.Join("|", p.Name, p.Token, p.Method, p.Path, p.Expect, p.Says)));
        return WorkshopChecks.Job(Definition(settings), settings.OutsideNamespace, Script, BaseUrl(settings, ingressIp), inMesh: false,
            verified: [.. UserIdentityManifest.Build(settings, issuer), MeshManifest.StoreGateway(settings), MeshManifest.StoreRoute(settings), .. StoreManifest.Build(settings)],
            facts: [ingressIp, verification == TlsVerification.LabCa ? caCertificatePem ?? "" : ""],
            extraEnv:
            [
                new V1EnvVar { Name = "PROBES", Value = probes },
                new V1EnvVar { Name = "ORDER_BODY", Value = OrderBody },
                new V1EnvVar { Name = "TOKEN_DIR", Value = TokenDirectory },
                new V1EnvVar { Name = "TLS_VERIFY", Value = verification switch { TlsVerification.LabCa => "lab-ca", TlsVerification.SystemTrust => "system-trust", TlsVerification.StagingIssuer => "staging-issuer", _ => "plain-http" } },
                new V1EnvVar { Name = "CA_FILE", Value = verification == TlsVerification.LabCa ? $"{WorkshopChecks.CaDirectory}/{WorkshopChecks.CaFileName}" : "" },
                new V1EnvVar { Name = "NOTE", Value = settings.UserAuth.Mode == UserAuthMode.Entra ? "with Entra ID the check holds no user's token: signed-in access is not exercised (docs/user-identity.md shows how to try it)" : "" },
            ],
            customize: job =>
            {
                job.Spec.ActiveDeadlineSeconds = ActiveDeadlineSeconds;
                job.Metadata.Annotations = new Dictionary<string, string> { [ObservabilityChecks.ProviderTimeoutAnnotation] = Text(ActiveDeadlineSeconds + 60) };
                foreach (var env in job.Spec.Template.Spec.Containers[0].Env)
                {
                    env.Value = env.Name switch
                    {
                        "ATTEMPTS" => Text(Attempts),
                        "INTERVAL_SECONDS" => Text(IntervalSeconds),
                        _ => env.Value,
                    };
                }

                var pod = job.Spec.Template.Spec;
                pod.Volumes = [new V1Volume { Name = "tokens", Secret = new V1SecretVolumeSource { SecretName = SecretName } }];
                var mounts = new List<V1VolumeMount> { new() { Name = "tokens", MountPath = TokenDirectory, ReadOnlyProperty = true } };
                if (verification == TlsVerification.LabCa)
                {
                    pod.Volumes.Add(new V1Volume { Name = "lab-ca", ConfigMap = new V1ConfigMapVolumeSource { Name = WorkshopChecks.CaConfigMapName } });
                    mounts.Add(new V1VolumeMount { Name = "lab-ca", MountPath = WorkshopChecks.CaDirectory, ReadOnlyProperty = true });
                }

                pod.Containers[0].VolumeMounts = mounts;
            });
    }

    /// <summary>The Secret (with <paramref name="tokens"/>) and the Job; nothing unless the checks run and user identity is on.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings, TokenIssuer issuer, IReadOnlyDictionary<string, string> tokens, string ingressIp, string? caCertificatePem)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Checks && settings.UserAuth.Enabled
            ? [TokenSecret(settings, tokens), Job(settings, issuer, ingressIp, caCertificatePem)]
            : [];
    }

    /// <summary>Placeholder tokens, for the render.</summary>
    public static IReadOnlyDictionary<string, string> PlaceholderTokens(LabSettings settings) =>
        TokenNames(settings).ToDictionary(name => name, _ => TokenPlaceholder);

    /// <summary>The Job alone, as YAML: what the Pulumi program's identity-check ConfigGroup applies (the Secret is its own resource).</summary>
    public static string JobYaml(LabSettings settings, TokenIssuer issuer, string ingressIp, string? caCertificatePem) =>
        KubernetesYaml.SerializeAll([Job(settings, issuer, ingressIp, caCertificatePem)]);
}
