using IstioLab.Blueprint;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using Pulumi;
using Pulumi.Kubernetes.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;
using Pulumi.Random;

namespace IstioLab;

/// <summary>What the store needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Revision">The cluster's Istio revision, for the namespace label.</param>
/// <param name="RabbitMqPassword">The configured secret password, or null to generate one.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="MeshConfig">The revisions' MeshConfig, which must exist before any sidecar is injected.</param>
public sealed record StoreAppArgs(LabSettings Settings, Output<string> Revision, Output<string>? RabbitMqPassword, ProviderResource Provider, Resource MeshConfig);

/// <summary>
/// Workshop steps 3-4: the application namespace labelled with the cluster's revision (created first, so
/// sidecars are injected at first start), the RabbitMQ credentials Secret, one ServiceAccount per workload, and the
/// AKS Store Demo applied from the blueprint's YAML after both.
/// </summary>
public sealed class StoreApp : ComponentResource
{
    public const string Type = "istiolab:index:StoreApp";

    public Namespace Namespace { get; }
    public Secret Credentials { get; }
    public ConfigGroup Store { get; }

    /// <summary>Each workload's own identity, created before the workloads that run as it.</summary>
    public IReadOnlyList<ServiceAccount> ServiceAccounts { get; }

    public StoreApp(string name, StoreAppArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;

        var ns = MeshManifest.ApplicationNamespace(settings, LabManifest.RevisionPlaceholder);
        Namespace = new Namespace($"{name}-ns", new NamespaceArgs
        {
            Metadata = KubeArgs.Meta(ns.Metadata, Kube.RevisionLabel, args.Revision),
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { args.MeshConfig } });

        // The configured secret, else a generated one that stays stable in state and is a secret too.
        var password = args.RabbitMqPassword ?? new RandomPassword($"{name}-rabbitmq-password", new RandomPasswordArgs
        {
            Length = 24,
            Special = false,
            MinNumeric = 2,
            MinUpper = 2,
            MinLower = 2,
        }, new CustomResourceOptions { Parent = this }).Result;

        var secret = StoreManifest.RabbitMqSecret(settings, LabManifest.PasswordPlaceholder);
        var stringData = new InputMap<string>();
        foreach (var (key, value) in secret.StringData)
        {
            if (key == StoreCatalog.RabbitMqPasswordKey)
            {
                stringData.Add(key, Output.CreateSecret(password));
            }
            else
            {
                stringData.Add(key, value);
            }
        }

        Credentials = new Secret($"{name}-rabbitmq-credentials", new SecretArgs
        {
            Metadata = KubeArgs.Meta(secret.Metadata),
            Type = secret.Type,
            StringData = stringData,
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { Namespace } });

        ServiceAccounts = [.. StoreManifest.ServiceAccounts(settings).Select(sa => new ServiceAccount($"{name}-sa-{sa.Metadata.Name}", new ServiceAccountArgs
        {
            Metadata = KubeArgs.Meta(sa.Metadata),
            AutomountServiceAccountToken = sa.AutomountServiceAccountToken,
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { Namespace } }))];

        // The store's YAML is known at preview time and holds no secret, so pull requests show real diffs.
        var storeOptions = new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { Namespace, Credentials } };
        foreach (var account in ServiceAccounts)
        {
            storeOptions.DependsOn.Add(account);
        }

        Store = new ConfigGroup($"{name}-workloads", new ConfigGroupArgs
        {
            Yaml = LabManifest.StoreYaml(settings),
        }, storeOptions);

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["namespace"] = Namespace.Metadata.Apply(m => m.Name),
        });
    }
}
