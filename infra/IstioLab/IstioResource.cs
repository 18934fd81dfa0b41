using Pulumi;
using KubernetesCustomResource = Pulumi.Kubernetes.ApiExtensions.CustomResource;
using KubernetesCustomResourceArgs = Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs;

namespace IstioLab;

/// <summary>
/// An Istio object (PeerAuthentication, Gateway, VirtualService) as a typed custom resource with an explicit
/// namespace, never through a ConfigGroup: the Istio CRDs belong to the add-on and are unknown to a YAML group
/// at preview time (pitfall 7). Its spec is the blueprint's spec, field for field.
/// </summary>
public sealed class IstioResource : KubernetesCustomResource
{
    public IstioResource(string name, IstioResourceArgs args, CustomResourceOptions? options = null)
        : base(name, args, options)
    {
    }
}

public sealed class IstioResourceArgs : KubernetesCustomResourceArgs
{
    public IstioResourceArgs(string apiVersion, string kind)
        : base(apiVersion, kind)
    {
    }

    [Input("spec")]
    public InputMap<object>? Spec { get; set; }

    /// <summary>An Istio object from the blueprint: its metadata and its spec as plain data.</summary>
    public static IstioResourceArgs From<TSpec>(Blueprint.Mesh.IstioObject<TSpec> source)
        where TSpec : new()
    {
        ArgumentNullException.ThrowIfNull(source);
        return new IstioResourceArgs(source.ApiVersion, source.Kind)
        {
            Metadata = KubeArgs.Meta(source.Metadata),
            Spec = new Dictionary<string, object>(Blueprint.Rendering.PlainTree.Of(source.Spec!)),
        };
    }
}
