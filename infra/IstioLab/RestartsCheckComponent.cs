using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;

namespace IstioLab;

/// <summary>What the restarts check needs: the facts its name is derived from and what it must run after.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="Revision">The cluster's Istio revision.</param>
/// <param name="IngressIp">The ingress gateway's public IP, which names the gateway check it follows.</param>
/// <param name="After">The store (ready) and the other checks' Jobs (complete), whose traffic it inspects the aftermath of.</param>
/// <param name="CaCertificate">With self-signed HTTPS, the lab's CA, which names the gateway check it follows.</param>
public sealed record RestartsCheckArgs(LabSettings Settings, ProviderResource Provider, Output<string> Revision, Output<string> IngressIp, IReadOnlyList<Resource> After, Output<string>? CaCertificate = null);

/// <summary>
/// The restarts check (<see cref="RestartsCheck"/>): its ServiceAccount, the Role that may list the store's pods, the
/// binding, and the Job, created only after the store is ready and every other check has completed, so that it sees
/// the store after the traffic those checks sent. The provider waits for the Job and fails the update if it fails.
/// </summary>
public sealed class RestartsCheckComponent : ComponentResource
{
    public const string Type = "istiolab:index:RestartsCheck";

    public ConfigGroup Objects { get; }

    /// <summary>The Job that runs the check and what it proves.</summary>
    public Output<string> Summary { get; }

    public RestartsCheckComponent(string name, RestartsCheckArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        var facts = Output.Tuple(args.Revision, args.IngressIp, args.CaCertificate ?? Output.Create(""));

        var groupOptions = new ComponentResourceOptions { Parent = this, Provider = args.Provider };
        foreach (var resource in args.After)
        {
            groupOptions.DependsOn.Add(resource);
        }

        // Building YAML text inside Apply is plain data; the resource itself is created here, outside it.
        Objects = new ConfigGroup($"{name}-objects", new ConfigGroupArgs
        {
            Yaml = facts.Apply(f => LabManifest.RestartsYaml(settings, f.Item1, f.Item2, Ca(f.Item3))),
        }, groupOptions);

        Summary = facts.Apply(f => LabManifest.RestartsObjects(settings, f.Item1, f.Item2, Ca(f.Item3)).OfType<k8s.Models.V1Job>()
            .Select(job => $"{job.Metadata.NamespaceProperty}/{job.Metadata.Name}: {RestartsCheck.Definition.Proves}").Single());

        RegisterOutputs(new Dictionary<string, object?> { ["restarts"] = Summary });
    }

    private static string? Ca(string pem) => pem.Length == 0 ? null : pem;
}
