namespace IstioLab.Blueprint.Https;

// Typed cert-manager resources: the fields the lab sets, serialized (camelCase) to cert-manager's API. Strict
// YAML loading rejects any field not declared here.

/// <summary>A cert-manager custom resource: apiVersion, kind, metadata and a typed spec.</summary>
public abstract class CertManagerObject<TSpec> : SpecObject<TSpec>
    where TSpec : new()
{
    public const string Group = "cert-manager.io";
    public const string ApiVersionValue = Group + "/v1";

    protected CertManagerObject() => ApiVersion = ApiVersionValue;
}

public sealed class ClusterIssuer : CertManagerObject<ClusterIssuerSpec>
{
    public ClusterIssuer() => Kind = KindValue;

    public const string KindValue = "ClusterIssuer";
}

public sealed class ClusterIssuerSpec
{
    public AcmeIssuer Acme { get; set; } = new();
}

public sealed class AcmeIssuer
{
    /// <summary>The ACME directory URL.</summary>
    public string Server { get; set; } = "";

    /// <summary>The account's contact; omitted when none is configured.</summary>
    public string? Email { get; set; }

    /// <summary>The Secret (in cert-manager's namespace) that keeps the ACME account's key.</summary>
    public SecretKeySelector PrivateKeySecretRef { get; set; } = new();

    public List<AcmeSolver> Solvers { get; set; } = [];
}

public sealed class SecretKeySelector
{
    public string Name { get; set; } = "";
}

public sealed class AcmeSolver
{
    public AcmeHttp01Solver Http01 { get; set; } = new();
}

public sealed class AcmeHttp01Solver
{
    public AcmeHttp01Ingress Ingress { get; set; } = new();
}

public sealed class AcmeHttp01Ingress
{
    /// <summary>The IngressClass of the Ingress cert-manager creates for each challenge.</summary>
    public string IngressClassName { get; set; } = "";
}

public sealed class Certificate : CertManagerObject<CertificateSpec>
{
    public Certificate() => Kind = KindValue;

    public const string KindValue = "Certificate";
}

public sealed class CertificateSpec
{
    /// <summary>The <c>kubernetes.io/tls</c> Secret cert-manager writes, in the Certificate's namespace.</summary>
    public string SecretName { get; set; } = "";

    public List<string> DnsNames { get; set; } = [];
    public IssuerReference IssuerRef { get; set; } = new();
    public CertificatePrivateKey? PrivateKey { get; set; }
}

public sealed class IssuerReference
{
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Group { get; set; } = "";
}

public sealed class CertificatePrivateKey
{
    /// <summary>RSA, ECDSA or Ed25519.</summary>
    public string? Algorithm { get; set; }

    public int? Size { get; set; }

    /// <summary>Always: a new key on every renewal.</summary>
    public string? RotationPolicy { get; set; }
}

/// <summary>The cert-manager chart's values the lab sets; everything else keeps the chart's default.</summary>
public sealed class CertManagerValues
{
    public CertManagerCrdValues Crds { get; set; } = new();
}

public sealed class CertManagerCrdValues
{
    /// <summary>The chart installs cert-manager's CRDs itself.</summary>
    public bool Enabled { get; set; }

    /// <summary>The CRDs (and so every Certificate) survive an uninstall of the chart.</summary>
    public bool Keep { get; set; }
}
