using System.Collections.Immutable;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Kubernetes.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;

namespace IstioLab;

/// <summary>What the checks need: the live facts they verify and every resource they must wait for.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Revision">The cluster's Istio revision.</param>
/// <param name="IngressIp">The ingress gateway's public IP.</param>
/// <param name="Verified">The store, the PeerAuthentication, the Gateway, the VirtualService, the AuthorizationPolicies, observability's objects and Kiali, and with HTTPS its certificate and static-IP wait.</param>
/// <param name="CaCertificate">With self-signed HTTPS, the lab's CA, which the gateway check trusts.</param>
public sealed record WorkshopChecksArgs(LabSettings Settings, ProviderResource Provider, Output<string> Revision, Output<string> IngressIp, IReadOnlyList<Resource> Verified, Output<string>? CaCertificate = null);

/// <summary>
/// Workshop step 7: the workshop's manual checks as Jobs, run after everything they verify. The provider waits
/// for each Job to complete and fails the update with the Job's message when a check fails. A Job's name carries a
/// hash of what it verifies, so a change to those runs it again; a Job that did not complete is replaced by the next
/// update (<c>pulumi.com/replaceUnready</c>), and one that passed is left alone.
/// </summary>
public sealed class WorkshopChecksComponent : ComponentResource
{
    public const string Type = "istiolab:index:WorkshopChecks";

    public ConfigGroup Jobs { get; }

    /// <summary>The in-mesh checks' own identities, which the allow-list knows by name.</summary>
    public IReadOnlyList<ServiceAccount> ServiceAccounts { get; }

    /// <summary>Each check's name, the Job that runs it, and what it proves.</summary>
    public Output<ImmutableDictionary<string, string>> Summary { get; }

    public WorkshopChecksComponent(string name, WorkshopChecksArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        var facts = Output.Tuple(args.Revision, args.IngressIp, args.CaCertificate ?? Output.Create(""));

        // In the application namespace, so after the store (and so after the namespace), like the Jobs themselves.
        CustomResourceOptions AccountOptions()
        {
            var opts = new CustomResourceOptions { Parent = this, Provider = args.Provider };
            foreach (var resource in args.Verified)
            {
                opts.DependsOn.Add(resource);
            }

            return opts;
        }

        ServiceAccounts = [.. WorkshopChecks.ServiceAccounts(settings).Select(sa => new ServiceAccount($"{name}-sa-{sa.Metadata.Name}", new ServiceAccountArgs
        {
            Metadata = KubeArgs.Meta(sa.Metadata),
            AutomountServiceAccountToken = sa.AutomountServiceAccountToken,
        }, AccountOptions()))];

        var jobOptions = new ComponentResourceOptions { Parent = this, Provider = args.Provider };
        foreach (var resource in args.Verified.Concat(ServiceAccounts))
        {
            jobOptions.DependsOn.Add(resource);
        }

        // Building YAML text inside Apply is plain data; the resource itself is created here, outside it.
        Jobs = new ConfigGroup($"{name}-jobs", new ConfigGroupArgs
        {
            Yaml = facts.Apply(f => LabManifest.ChecksYaml(settings, f.Item1, f.Item2, Ca(f.Item3))),
        }, jobOptions);

        Summary = facts.Apply(f => WorkshopChecks.Build(settings, f.Item1, f.Item2, Ca(f.Item3))
            .OfType<k8s.Models.V1Job>()
            .Zip(WorkshopChecks.For(settings))
            .ToImmutableDictionary(pair => pair.Second.Name, pair => $"{pair.First.Metadata.NamespaceProperty}/{pair.First.Metadata.Name}: {pair.Second.Proves}"));

        RegisterOutputs(new Dictionary<string, object?> { ["checks"] = Summary });
    }

    private static string? Ca(string pem) => pem.Length == 0 ? null : pem;
}
