namespace IstioLab.Blueprint.Platform;

/// <summary>
/// One value a Helm chart computes at render time unless the values pin it: left to the chart, it differs between
/// renders (a random string) or depends on what the cluster holds (<c>lookup</c>), and the Pulumi provider renders
/// the chart again at every preview and update, so the objects would change on every run.
/// </summary>
/// <param name="ValuePath">The value that pins it, dotted (<c>login_token.signing_key</c>).</param>
/// <param name="Template">Where the chart computes it (template file and named template).</param>
/// <param name="Generator">The template function that computes it and when.</param>
public sealed record GeneratedValue(string ValuePath, string Template, string Generator);

/// <summary>A chart at one version and every value its templates compute at render time (none is a finding too).</summary>
/// <param name="Chart">The chart's name.</param>
/// <param name="Version">The version whose templates were read; the lab must install exactly this one.</param>
/// <param name="Values">What its templates generate, each to be pinned by the lab's values.</param>
public sealed record ChartAudit(string Chart, string Version, IReadOnlyList<GeneratedValue> Values);

/// <summary>
/// The render-time values of every chart the lab installs, from reading each pinned version's templates for
/// <c>randAlphaNum</c>, <c>randAlpha</c>, <c>randNumeric</c>, <c>randAscii</c>, <c>randBytes</c>, <c>uuidv4</c>,
/// <c>now</c>, <c>date</c>, <c>genCA</c>, <c>genSelfSignedCert</c>, <c>genPrivateKey</c>, <c>derivePassword</c>,
/// <c>htpasswd</c> and <c>lookup</c>. A new chart version must be read again: the tests tie each audit to the
/// version the lab installs.
/// </summary>
public static class ChartGeneratedValues
{
    /// <summary>
    /// kiali-server 2.29.0. Source: kiali/helm-charts tag v2.29.0, kiali-server/templates/_helpers.tpl and
    /// templates/configmap.yaml (the ConfigMap holds the signing key, and the Deployment's <c>checksum/config</c>
    /// annotation hashes the ConfigMap, so an unpinned key restarts Kiali on every update).
    /// </summary>
    public static ChartAudit Kiali { get; } = new("kiali-server", "2.29.0",
    [
        new("login_token.signing_key", "_helpers.tpl kiali-server.login_token.signing_key",
            "randAlphaNum 32 at every render when the value is empty (the chart's default)"),
        new("clustering.autodetect_secrets.enabled", "_helpers.tpl kiali-server.remote-cluster-secrets",
            "lookup of every Secret in the release namespace when true (the chart's default), mounted into the Deployment"),
        new("deployment.cluster_wide_access", "_helpers.tpl kiali-server.accessible-namespaces",
            "lookup of every Namespace when false, written into the ConfigMap"),
    ]);

    /// <summary>
    /// cert-manager v1.19.1: its templates compute nothing at render time. Source: cert-manager/cert-manager tag
    /// v1.19.1, deploy/charts/cert-manager/templates (none of the functions above appears in a template expression).
    /// </summary>
    public static ChartAudit CertManager { get; } = new("cert-manager", "v1.19.1", []);

    /// <summary>Every chart the lab installs.</summary>
    public static IReadOnlyList<ChartAudit> All { get; } = [Kiali, CertManager];
}
