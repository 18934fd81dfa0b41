namespace IstioLab.Tests;

/// <summary>The type tokens the mock tests look resources up by, as the engine sees them.</summary>
internal static class ResourceTypes
{
    public const string CertificateType = "kubernetes:cert-manager.io/v1:Certificate";
    public const string ChartType = "kubernetes:helm.sh/v4:Chart";
    public const string ClusterType = "azure-native:containerservice:ManagedCluster";
    public const string ConfigGroupType = "kubernetes:yaml/v2:ConfigGroup";
    public const string ConfigMapType = "kubernetes:core/v1:ConfigMap";
    public const string CredentialType = "azure-native:managedidentity:FederatedIdentityCredential";
    public const string IngressClassType = "kubernetes:networking.k8s.io/v1:IngressClass";
    public const string IssuerType = "kubernetes:cert-manager.io/v1:ClusterIssuer";
    public const string PeerAuthenticationType = "kubernetes:security.istio.io/v1:PeerAuthentication";
    public const string PolicyType = "kubernetes:security.istio.io/v1:AuthorizationPolicy";
    public const string ProviderType = "pulumi:providers:kubernetes";
    public const string PublicIpType = "azure-native:network:PublicIPAddress";
    public const string RequestAuthenticationType = "kubernetes:security.istio.io/v1:RequestAuthentication";
    public const string RoleAssignmentType = "azure-native:authorization:RoleAssignment";
    public const string SecretType = "kubernetes:core/v1:Secret";
    public const string ServiceAccountType = "kubernetes:core/v1:ServiceAccount";
    public const string ServicePatchType = "kubernetes:core/v1:ServicePatch";
    public const string ServiceEntryType = "kubernetes:networking.istio.io/v1:ServiceEntry";
    public const string SidecarType = "kubernetes:networking.istio.io/v1:Sidecar";
    public const string PrivateKeyType = "tls:index/privateKey:PrivateKey";
    public const string SelfSignedCertType = "tls:index/selfSignedCert:SelfSignedCert";
}
