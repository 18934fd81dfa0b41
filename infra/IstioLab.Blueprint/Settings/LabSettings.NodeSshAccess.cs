namespace IstioLab.Blueprint.Settings;

/// <summary>
/// The node pool's <c>securityProfile.sshAccess</c> (<c>istio-lab:nodeSshAccess</c>). AKS documents the field as a
/// preview that a subscription must register first ("AKS docs articles/aks/manage-ssh-node-access.md": feature
/// <see cref="LabSettings.NodeSshAccessPreviewFeature"/> in <c>Microsoft.ContainerService</c>), and the resource
/// provider has refused it on stable API versions (Azure/azure-rest-api-specs issue 40740). So the lab sends it only
/// when this setting asks; unset, the cluster's inputs carry no <c>sshAccess</c> and AKS keeps its default.
/// </summary>
public enum NodeSshAccess
{
    /// <summary>No field sent: AKS's default.</summary>
    Unset,

    /// <summary><c>Disabled</c>: the nodes' SSH service is off.</summary>
    Disabled,

    /// <summary><c>LocalUser</c>: SSH with the cluster's key, sent explicitly.</summary>
    LocalUser,
}

public sealed partial record LabSettings
{
    /// <summary>The preview feature a subscription registers before AKS accepts <c>sshAccess</c> ("AKS docs articles/aks/manage-ssh-node-access.md").</summary>
    public const string NodeSshAccessPreviewFeature = "DisableSSHPreview";

    /// <summary>What the node pool's <c>securityProfile.sshAccess</c> is set to; <see cref="NodeSshAccess.Unset"/> sends nothing.</summary>
    public NodeSshAccess NodeSshAccess { get; init; } = NodeSshAccess.Unset;

    /// <summary>Config spelling of each value that sends the field, ("AKS docs articles/aks/manage-ssh-node-access.md": disabled, localuser).</summary>
    public static IReadOnlyDictionary<string, NodeSshAccess> NodeSshAccessNames { get; } = new Dictionary<string, NodeSshAccess>(StringComparer.Ordinal)
    {
        ["disabled"] = NodeSshAccess.Disabled,
        ["localuser"] = NodeSshAccess.LocalUser,
    };

    private static NodeSshAccess ParseNodeSshAccess(string? text, List<SettingError> errors)
    {
        if (text is null)
        {
            return NodeSshAccess.Unset;
        }

        var known = NodeSshAccessNames.TryGetValue(text, out var access);
        Check(errors, ConfigKeys.NodeSshAccess, text, known,
            $"one of: {string.Join(", ", NodeSshAccessNames.Keys)} (both need the subscription's {NodeSshAccessPreviewFeature} preview feature registered), or empty to send no sshAccess");
        return access;
    }
}
