using k8s;
using k8s.Models;

namespace IstioLab.Blueprint;

/// <summary>
/// A custom resource the lab declares (Istio's, cert-manager's): apiVersion, kind, metadata and a typed spec.
/// KubernetesClient has no models for them, so the subclasses hold the fields the lab sets, named so that they
/// serialize (camelCase) to the API's; strict YAML loading rejects any field not declared.
/// </summary>
public abstract class SpecObject<TSpec> : IKubernetesObject<V1ObjectMeta>
    where TSpec : new()
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public TSpec Spec { get; set; } = new();
}
