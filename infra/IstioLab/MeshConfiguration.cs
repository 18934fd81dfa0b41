using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Kubernetes.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;

namespace IstioLab;

/// <summary>What the mesh configuration needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
/// <param name="ClusterRevision">The revision the cluster reports, named when none is configured.</param>
public sealed record MeshConfigurationArgs(LabSettings Settings, ProviderResource Provider, Output<string> ClusterRevision);

/// <summary>
/// The add-on's user MeshConfig, one <c>istio-shared-configmap-&lt;revision&gt;</c> per revision the cluster runs,
/// created in the update that adds its revision and deleted in the one that drops it. The application namespace
/// waits for it, so no sidecar of a new revision is injected before its MeshConfig exists.
/// </summary>
public sealed class MeshConfiguration : ComponentResource
{
    public const string Type = "istiolab:index:MeshConfiguration";

    /// <summary>One ConfigMap per revision, older first.</summary>
    public IReadOnlyList<ConfigMap> SharedConfigMaps { get; }

    public MeshConfiguration(string name, MeshConfigurationArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        var defaultName = $"{name}-default";

        ConfigMap Create(string logicalName, string revision, Output<string>? liveName, string? alias)
        {
            var map = SharedMeshConfig.For(settings, revision);
            var metadata = KubeArgs.Meta(map.Metadata);
            if (liveName is not null)
            {
                metadata.Name = liveName;
            }

            var opts = new CustomResourceOptions { Parent = this, Provider = args.Provider };
            if (alias is not null)
            {
                opts.Aliases.Add(new Alias { Name = alias });
            }

            return new ConfigMap(logicalName, new ConfigMapArgs
            {
                Metadata = metadata,
                Data = new Dictionary<string, string>(map.Data),
            }, opts);
        }

        // With no revision configured, the one ConfigMap is named after the revision the cluster reports. Pinning
        // that revision later keeps it: the stable revision's ConfigMap answers to the default one's old name.
        SharedConfigMaps = settings.MeshRevisions.Count == 0
            ? [Create(defaultName, LabManifest.RevisionPlaceholder, args.ClusterRevision.Apply(SharedMeshConfig.NameFor), null)]
            : [.. settings.MeshRevisions.Select((revision, i) => Create($"{name}-{revision}", revision, null, i == 0 ? defaultName : null))];

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["configMaps"] = Output.All(SharedConfigMaps.Select(m => m.Metadata.Apply(meta => meta.Name))),
        });
    }
}
