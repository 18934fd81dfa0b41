using System.Collections.Immutable;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.AzureNative.Authorization;
using Pulumi.Kubernetes.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;
using Pulumi.Tls;
using Pulumi.Tls.Inputs;

namespace IstioLab;

/// <summary>What user identity needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings, with <c>istio-lab:userAuth</c> on.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Cluster">The cluster, whose add-on owns the Istio CRDs and the gateway's namespace.</param>
/// <param name="IngressWait">The bounded wait until the add-on's gateway exists (and so its namespace).</param>
/// <param name="IngressIp">The store's public IP, which the identity check calls (over HTTP, or by DNS name over HTTPS).</param>
/// <param name="CaCertificate">With self-signed HTTPS, the lab's CA, which the check trusts.</param>
/// <param name="Checks">The workshop's checks (and so the gateway check and the namespace outside the mesh), or null when they are off.</param>
public sealed record UserIdentityArgs(
    LabSettings Settings, ProviderResource Provider, Resource Cluster, Resource IngressWait, Output<string> IngressIp,
    Output<string>? CaCertificate, Resource? Checks);

/// <summary>
/// Beyond the workshop: who is calling (<c>istio-lab:userAuth</c>). The RequestAuthentication and the ALLOW policy on
/// the add-on's external gateway, for the lab's own issuer or Entra ID; with the lab issuer, its RSA signing key (a
/// secret), the JWKS of its public half, and a customer's and an admin's token. Tokens are minted from the key and the
/// issue time of the "token window" certificate: the TLS provider fixes that time when it creates the certificate and
/// keeps it in state, so a preview computes the same tokens; in its last week the next update replaces the certificate
/// and so re-issues the tokens. With the checks on, the <c>identity</c> check runs after them, its tokens in a Secret.
/// </summary>
public sealed class UserIdentity : ComponentResource
{
    public const string Type = "istiolab:index:UserIdentity";

    public SpecResource RequestAuthentication { get; }
    public SpecResource Policy { get; }

    /// <summary>The lab issuer's signing key; null with Entra.</summary>
    public PrivateKey? SigningKey { get; }

    /// <summary>The certificate whose validity is the tokens' window; null with Entra and no checks.</summary>
    public SelfSignedCert? TokenWindow { get; }

    public Output<string> Issuer { get; }
    public Output<string> Audience { get; }

    /// <summary>The stack's outputs for user identity: issuer and audience; with the lab issuer the tokens, their expiry and the signing key (secrets); with the checks, the check's Job.</summary>
    public IReadOnlyDictionary<string, object?> Outputs { get; }

    public UserIdentity(string name, UserIdentityArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        if (!settings.UserAuth.Enabled)
        {
            throw new ArgumentException("user identity is off", nameof(args));
        }

        var lab = settings.UserAuth.Mode == UserAuthMode.LabIssuer;
        PrivateKey NewKey(string suffix) => new($"{name}-{suffix}", new PrivateKeyArgs { Algorithm = "RSA", RsaBits = LabIssuer.RsaBits }, new CustomResourceOptions { Parent = this });

        SigningKey = lab ? NewKey("signing-key") : null;
        var forgerKey = settings.Checks ? NewKey("forger-key") : null;
        var windowKey = SigningKey ?? forgerKey;
        TokenWindow = windowKey is null ? null : new SelfSignedCert($"{name}-token-window", new SelfSignedCertArgs
        {
            PrivateKeyPem = windowKey.PrivateKeyPem,
            Subject = new SelfSignedCertSubjectArgs { CommonName = "istio-lab token window", Organization = Lab.Name },
            ValidityPeriodHours = LabIssuer.TokenWindowHours,
            EarlyRenewalHours = LabIssuer.TokenRenewalHours,
            AllowedUses = ["digital_signature"],
        }, new CustomResourceOptions { Parent = this });

        Output<TokenIssuer> issuer = SigningKey is not null
            ? SigningKey.PublicKeyPem.Apply(pem => UserIdentityManifest.LabIssuerOf(settings, LabIssuer.Jwks(pem)))
            : settings.UserAuth.EntraTenantId is { } tenant
                ? Output.Create(UserIdentityManifest.EntraOf(settings, tenant))
                : GetClientConfig.Invoke(new InvokeOutputOptions { Parent = this }).Apply(c => UserIdentityManifest.EntraOf(settings, c.TenantId));
        Issuer = issuer.Apply(i => i.Issuer);
        Audience = issuer.Apply(i => i.Audience);

        // Both in the add-on's gateway namespace, which exists once the gateway does; the policy after the
        // RequestAuthentication, so that tokens are validated before any rule asks for one.
        var placeholder = UserIdentityManifest.Placeholder(settings);
        RequestAuthentication = new SpecResource($"{name}-jwt", Args(UserIdentityManifest.Authentication(settings, placeholder),
            issuer.Apply(i => UserIdentityManifest.Authentication(settings, i).Spec)),
            new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.IngressWait } });
        Policy = new SpecResource($"{name}-access", Args(UserIdentityManifest.Policy(settings, placeholder),
            issuer.Apply(i => UserIdentityManifest.Policy(settings, i).Spec)),
            new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Cluster, args.IngressWait, RequestAuthentication } });

        var outputs = new Dictionary<string, object?>
        {
            ["userAuthIssuer"] = Issuer,
            ["userAuthAudience"] = Audience,
        };

        var window = TokenWindow is null
            ? null
            : Output.Tuple(TokenWindow.ValidityStartTime, TokenWindow.ValidityEndTime).Apply(t => (Start: LabIssuer.ParseTime(t.Item1), End: LabIssuer.ParseTime(t.Item2)));
        var tokens = new Dictionary<string, Output<string>>();
        if (SigningKey is not null && window is not null)
        {
            Output<string> Mint(Func<DateTimeOffset, DateTimeOffset, TokenClaims> claims) => Output.CreateSecret(
                Output.Tuple(SigningKey.PrivateKeyPem, window).Apply(t => LabIssuer.Mint(t.Item1, claims(t.Item2.Start, t.Item2.End))));
            tokens[IdentityCheck.CustomerToken] = Mint((start, end) => LabIssuer.Customer(settings, start, end));
            tokens[IdentityCheck.AdminToken] = Mint((start, end) => LabIssuer.Admin(settings, start, end));
            outputs["customerToken"] = tokens[IdentityCheck.CustomerToken];
            outputs["adminToken"] = tokens[IdentityCheck.AdminToken];
            outputs["tokensExpire"] = TokenWindow!.ValidityEndTime;
            outputs["labIssuerSigningKey"] = Output.CreateSecret(SigningKey.PrivateKeyPem);
        }

        if (args.Checks is not null && forgerKey is not null && window is not null)
        {
            tokens[IdentityCheck.ForgedToken] = Output.CreateSecret(Output.Tuple(forgerKey.PrivateKeyPem, window, issuer).Apply(t => LabIssuer.Mint(t.Item1,
                new TokenClaims(t.Item3.Issuer, t.Item3.Audience, LabIssuer.ForgedSubject, [GatewayAccess.AdminRole], t.Item2.Start, t.Item2.End))));
            outputs["identityCheck"] = Check(name, args, issuer, tokens);
        }

        Outputs = outputs;
        RegisterOutputs(outputs);
    }

    /// <summary>The check's token Secret (its values secret) and its Job, both after the workshop's checks.</summary>
    private Output<string> Check(string name, UserIdentityArgs args, Output<TokenIssuer> issuer, Dictionary<string, Output<string>> tokens)
    {
        var settings = args.Settings;
        var shape = IdentityCheck.TokenSecret(settings, IdentityCheck.PlaceholderTokens(settings));
        var data = new InputMap<string>();
        foreach (var key in IdentityCheck.TokenNames(settings))
        {
            data.Add(key, tokens[key]);
        }

        var secret = new Secret($"{name}-check-tokens", new SecretArgs
        {
            Metadata = KubeArgs.Meta(shape.Metadata),
            Type = shape.Type,
            StringData = data,
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Checks! } });

        var facts = Output.Tuple(issuer, args.IngressIp, args.CaCertificate ?? Output.Create(""));
        _ = new ConfigGroup($"{name}-check", new ConfigGroupArgs
        {
            Yaml = facts.Apply(f => IdentityCheck.JobYaml(settings, f.Item1, f.Item2, f.Item3.Length == 0 ? null : f.Item3)),
        }, new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.Checks!, secret, RequestAuthentication, Policy } });

        return facts.Apply(f =>
        {
            var job = IdentityCheck.Job(settings, f.Item1, f.Item2, f.Item3.Length == 0 ? null : f.Item3);
            return $"{job.Metadata.NamespaceProperty}/{job.Metadata.Name}: {IdentityCheck.Definition(settings).Proves}";
        });
    }

    /// <summary>A custom resource whose spec is known only at deploy time (the JWKS, the deployer's tenant).</summary>
    private static SpecResourceArgs Args<TSpec>(Blueprint.SpecObject<TSpec> shape, Output<TSpec> spec)
        where TSpec : new() => new(shape.ApiVersion, shape.Kind)
        {
            Metadata = KubeArgs.Meta(shape.Metadata),
            Spec = spec.Apply(s => PlainTree.Of(s!).ToImmutableDictionary()),
        };
}
