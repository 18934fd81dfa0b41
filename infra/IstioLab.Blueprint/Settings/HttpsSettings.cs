using System.Text.RegularExpressions;
using IstioLab.Blueprint.Checks;

namespace IstioLab.Blueprint.Settings;

/// <summary>How the store is served: the workshop's HTTP, or HTTPS with a certificate from one of two sources.</summary>
public enum HttpsMode
{
    /// <summary>The workshop's plain HTTP on the IP the load balancer picks.</summary>
    Off,

    /// <summary>A lab CA and a server certificate made by the Pulumi TLS provider.</summary>
    SelfSigned,

    /// <summary>A Let's Encrypt certificate, issued and renewed by cert-manager over HTTP-01.</summary>
    LetsEncrypt,
}

/// <summary>Which Let's Encrypt ACME directory issues the certificate.</summary>
public enum AcmeServer
{
    /// <summary>Untrusted certificates, generous rate limits: the default until the user switches.</summary>
    Staging,

    /// <summary>Publicly trusted certificates, strict rate limits.</summary>
    Production,
}

/// <summary>
/// The HTTPS settings of a stack. The DNS label is always resolved (configured, else derived from the stack's
/// names), so the FQDN is known at preview time and stable run to run.
/// </summary>
/// <param name="Mode">Off, self-signed or Let's Encrypt.</param>
/// <param name="DnsLabel">The static IP's DNS label.</param>
/// <param name="Location">The Azure region, which is part of the FQDN.</param>
/// <param name="Acme">The Let's Encrypt directory (only used with <see cref="HttpsMode.LetsEncrypt"/>).</param>
/// <param name="AcmeEmail">The ACME account's contact, or null for none.</param>
public sealed record HttpsOptions(HttpsMode Mode, string DnsLabel, string Location, AcmeServer Acme, string? AcmeEmail)
{
    /// <summary>The DNS zone Azure gives a public IP's label in the public cloud.</summary>
    public const string CloudAppZone = "cloudapp.azure.com";

    /// <summary>HTTPS is off: the settings a <see cref="LabSettings"/> has unless <see cref="LabSettings.Parse"/> says otherwise.</summary>
    public static HttpsOptions Disabled { get; } = new(HttpsMode.Off, "", "", AcmeServer.Staging, null);

    public bool Enabled => Mode != HttpsMode.Off;

    /// <summary>The store's name: <c>&lt;label&gt;.&lt;location&gt;.cloudapp.azure.com</c>.</summary>
    public string Fqdn => $"{DnsLabel}.{Location}.{CloudAppZone}";

    /// <summary>The store's address once HTTPS is on.</summary>
    public string StoreUrl => $"https://{Fqdn}/";
}

public sealed partial record LabSettings
{
    /// <summary>HTTPS for the store; off unless configured.</summary>
    public HttpsOptions Https { get; init; } = HttpsOptions.Disabled;

    /// <summary>Config spelling of each <see cref="HttpsMode"/>.</summary>
    public static IReadOnlyDictionary<string, HttpsMode> HttpsModeNames { get; } = new Dictionary<string, HttpsMode>(StringComparer.Ordinal)
    {
        ["off"] = HttpsMode.Off,
        ["self-signed"] = HttpsMode.SelfSigned,
        ["lets-encrypt"] = HttpsMode.LetsEncrypt,
    };

    /// <summary>Config spelling of each <see cref="AcmeServer"/>.</summary>
    public static IReadOnlyDictionary<string, AcmeServer> AcmeServerNames { get; } = new Dictionary<string, AcmeServer>(StringComparer.Ordinal)
    {
        ["staging"] = AcmeServer.Staging,
        ["production"] = AcmeServer.Production,
    };

    /// <summary>Azure's rule for a public IP's <c>dnsSettings.domainNameLabel</c>.</summary>
    public const int MinDnsLabelLength = 3;
    public const int MaxDnsLabelLength = 63;

    /// <summary>Hex digits of the hash in a derived DNS label.</summary>
    public const int DnsLabelHashLength = 8;

    /// <summary>
    /// The default DNS label: the cluster name made valid (lowercase, '_' as '-', starting with a letter) and cut
    /// to fit, then '-' and a short hash of the resource group, cluster and location, so two labs in one region
    /// are unlikely to collide and a stack keeps its label run to run.
    /// </summary>
    public static string DerivedDnsLabel(string resourceGroup, string cluster, string location)
    {
        ArgumentNullException.ThrowIfNull(resourceGroup);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(location);
        var hash = WorkshopChecks.ShortHash($"{resourceGroup}/{cluster}/{location}")[..DnsLabelHashLength];
        var prefix = new string([.. cluster.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-')]);
        prefix = prefix.TrimStart('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
        prefix = prefix[..Math.Min(prefix.Length, MaxDnsLabelLength - DnsLabelHashLength - 1)].TrimEnd('-');
        return $"{(prefix.Length == 0 ? ConfigKeys.ProjectNamespace : prefix)}-{hash}";
    }

    /// <summary>
    /// The HTTPS rules: known modes and ACME directories, a valid DNS label, and the Let's Encrypt keys only where
    /// they mean something, so a stale key is refused rather than silently ignored.
    /// </summary>
    private static HttpsOptions ParseHttps(List<SettingError> errors, Func<ConfigKey, string> value, Func<ConfigKey, string?> optional, string resourceGroup, string cluster, string location)
    {
        var modeText = value(ConfigKeys.Https);
        var modeKnown = HttpsModeNames.TryGetValue(modeText, out var mode);
        Check(errors, ConfigKeys.Https, modeText, modeKnown, "one of: " + string.Join(", ", HttpsModeNames.Keys));

        var label = optional(ConfigKeys.DnsLabel);
        if (label is not null)
        {
            Check(errors, ConfigKeys.DnsLabel, label, label.Length is >= MinDnsLabelLength and <= MaxDnsLabelLength && DnsLabelPattern().IsMatch(label),
                $"{MinDnsLabelLength}-{MaxDnsLabelLength} characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (Azure's rule for a public IP's DNS label), or empty to derive one");
            if (modeKnown && mode == HttpsMode.Off)
            {
                errors.Add(new SettingError(ConfigKeys.DnsLabel.FullName, label,
                    $"applies only with {ConfigKeys.Https.FullName} set to self-signed or lets-encrypt: set it, or unset {ConfigKeys.DnsLabel.FullName}"));
            }
        }

        var acmeText = optional(ConfigKeys.AcmeServer) is null ? ConfigKeys.AcmeServer.Default : value(ConfigKeys.AcmeServer);
        var acmeKnown = AcmeServerNames.TryGetValue(acmeText, out var acme);
        Check(errors, ConfigKeys.AcmeServer, acmeText, acmeKnown, "one of: " + string.Join(", ", AcmeServerNames.Keys));

        var email = optional(ConfigKeys.AcmeEmail);
        if (email is not null)
        {
            Check(errors, ConfigKeys.AcmeEmail, email, email.Length <= 254 && EmailPattern().IsMatch(email), "an e-mail address such as ops@example.com, or empty for none");
        }

        if (modeKnown && mode != HttpsMode.LetsEncrypt)
        {
            var explicitAcme = optional(ConfigKeys.AcmeServer) is { } a && a != ConfigKeys.AcmeServer.Default;
            foreach (var (key, given) in new[] { (ConfigKeys.AcmeServer, explicitAcme ? acmeText : null), (ConfigKeys.AcmeEmail, email) })
            {
                if (given is not null)
                {
                    errors.Add(new SettingError(key.FullName, given,
                        $"applies only with {ConfigKeys.Https.FullName}=lets-encrypt: set it, or unset {key.FullName}"));
                }
            }
        }

        return new HttpsOptions(mode, label ?? DerivedDnsLabel(resourceGroup, cluster, location), location, acme, email);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex(@"^[^@\s]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$")]
    private static partial Regex EmailPattern();
}
