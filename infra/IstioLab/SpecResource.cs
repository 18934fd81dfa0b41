using Pulumi;
using KubernetesCustomResource = Pulumi.Kubernetes.ApiExtensions.CustomResource;
using KubernetesCustomResourceArgs = Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs;

namespace IstioLab;

/// <summary>
/// A custom resource of the blueprint (Istio's PeerAuthentication, Gateway, VirtualService, AuthorizationPolicy;
/// cert-manager's ClusterIssuer and Certificate) as a typed custom resource with an explicit namespace, never
/// through a ConfigGroup: their CRDs belong to the add-on or to a chart and are unknown to a YAML group at preview
/// time (pitfall 7). Its spec is the blueprint's spec, field for field.
/// </summary>
public sealed class SpecResource : KubernetesCustomResource
{
    public SpecResource(string name, SpecResourceArgs args, CustomResourceOptions? options = null)
        : base(name, args, options)
    {
    }
}

public sealed class SpecResourceArgs : KubernetesCustomResourceArgs
{
    public SpecResourceArgs(string apiVersion, string kind)
        : base(apiVersion, kind)
    {
    }

    [Input("spec")]
    public InputMap<object>? Spec { get; set; }

    /// <summary>A custom object from the blueprint: its metadata and its spec as plain data.</summary>
    public static SpecResourceArgs From<TSpec>(Blueprint.SpecObject<TSpec> source)
        where TSpec : new()
    {
        ArgumentNullException.ThrowIfNull(source);
        return new SpecResourceArgs(source.ApiVersion, source.Kind)
        {
            Metadata = KubeArgs.Meta(source.Metadata),
            Spec = new Dictionary<string, object>(Blueprint.Rendering.PlainTree.Of(source.Spec!)),
        };
    }
}
