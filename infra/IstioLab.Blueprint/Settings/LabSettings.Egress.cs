using System.Globalization;
using IstioLab.Blueprint.Egress;

namespace IstioLab.Blueprint.Settings;

/// <summary>Which external hosts the store may call (<c>istio-lab:egress</c>).</summary>
public enum EgressMode
{
    /// <summary>The workshop's behaviour: the sidecars pass calls to any host through (Istio's default, ALLOW_ANY).</summary>
    Open,

    /// <summary>Only the hosts of <c>istio-lab:egressHosts</c>: the store's sidecars send every other call to nowhere (REGISTRY_ONLY).</summary>
    AllowList,
}

public sealed partial record LabSettings
{
    /// <summary>Whether the store may call any external host, or only the listed ones.</summary>
    public EgressMode Egress { get; init; } = EgressMode.Open;

    /// <summary>The external hosts the store may call with <see cref="EgressMode.AllowList"/>, in the order given; empty otherwise.</summary>
    public IReadOnlyList<EgressHost> EgressHosts { get; init; } = [];

    /// <summary>Config spelling of each <see cref="EgressMode"/>.</summary>
    public static IReadOnlyDictionary<string, EgressMode> EgressModeNames { get; } = new Dictionary<string, EgressMode>(StringComparer.Ordinal)
    {
        ["open"] = EgressMode.Open,
        ["allow-list"] = EgressMode.AllowList,
    };

    /// <summary>The config spelling of <see cref="Egress"/>.</summary>
    public string EgressName => EgressModeNames.Single(pair => pair.Value == Egress).Key;

    /// <summary>The longest DNS name Kubernetes takes as an object name (DNS-1123 subdomain).</summary>
    public const int MaxDnsNameLength = 253;

    /// <summary>
    /// The mode and the hosts. Each entry is <c>name[:port]</c>: a lowercase DNS-1123 name of at least two labels (not
    /// an IP address, not an in-cluster name), optionally behind a leading <c>*.</c>, and a port from 1 to 65535; no
    /// entry twice, none that covers the egress check's unlisted host, and none at all unless the mode is allow-list.
    /// </summary>
    private static (EgressMode Mode, IReadOnlyList<EgressHost> Hosts) ParseEgress(List<SettingError> errors, string modeText, string hostsText, bool checks)
    {
        var modeKnown = EgressModeNames.TryGetValue(modeText, out var mode);
        Check(errors, ConfigKeys.Egress, modeText, modeKnown, "one of: " + string.Join(", ", EgressModeNames.Keys));

        var hostsKey = ConfigKeys.EgressHosts.FullName;
        if (hostsText.Length == 0)
        {
            return (mode, []);
        }

        if (modeKnown && mode == EgressMode.Open)
        {
            errors.Add(new SettingError(hostsKey, hostsText,
                $"applies only with {ConfigKeys.Egress.FullName}=allow-list (with open, every host is reachable): set it, or unset {hostsKey}"));
        }

        var hosts = new List<EgressHost>();
        foreach (var raw in hostsText.Split(','))
        {
            var entry = raw.Trim();
            var problems = EntryProblems(entry, out var host);
            if (problems.Count > 0)
            {
                errors.Add(new SettingError(hostsKey, entry, "is not a host this lab can allow: it must be " + string.Join("; ", problems)));
                continue;
            }

            if (hosts.Contains(host!))
            {
                errors.Add(new SettingError(hostsKey, entry, $"lists {host} twice (a port left out is {EgressHost.DefaultPort}): give each host and port once"));
                continue;
            }

            if (checks && EgressCheck.UnlistedPorts.Any(port => host!.Covers(EgressCheck.UnlistedHost, port)))
            {
                errors.Add(new SettingError(hostsKey, entry,
                    $"covers {EgressCheck.UnlistedHost}, the host the egress check calls to prove that unlisted hosts are blocked: list narrower hosts, or set {ConfigKeys.Checks.FullName} to false"));
                continue;
            }

            hosts.Add(host!);
        }

        return (mode, mode == EgressMode.AllowList ? hosts : []);
    }

    /// <summary>What is wrong with one entry, in the words of the rule it breaks; empty when it is a valid host.</summary>
    private static List<string> EntryProblems(string entry, out EgressHost? host)
    {
        host = null;
        var problems = new List<string>();
        if (entry.Length == 0)
        {
            problems.Add("a host name: the list has an empty entry (two commas in a row, or one at an end)");
            return problems;
        }

        var colon = entry.LastIndexOf(':');
        var name = colon < 0 ? entry : entry[..colon];
        var port = EgressHost.DefaultPort;
        if (colon >= 0)
        {
            var portText = entry[(colon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535
                || port.ToString(CultureInfo.InvariantCulture) != portText)
            {
                problems.Add($"a port from 1 to 65535 after the ':' (not '{portText}')");
            }
        }

        var wildcard = name.StartsWith(EgressHost.WildcardPrefix, StringComparison.Ordinal);
        var domain = wildcard ? name[EgressHost.WildcardPrefix.Length..] : name;
        if (domain.Contains('*', StringComparison.Ordinal))
        {
            problems.Add($"a wildcard only as a leading '{EgressHost.WildcardPrefix}' (e.g. *.example.com), never alone or inside a name");
        }
        else if (name.Any(char.IsAsciiLetterUpper))
        {
            problems.Add("lowercase (DNS names are case-insensitive; Istio matches them as written)");
        }
        else if (domain.Length > MaxDnsNameLength || !domain.Split('.').All(label => Dns1123LabelPattern().IsMatch(label) && label.Length <= 63))
        {
            problems.Add("a DNS-1123 name: labels of 1-63 lowercase letters, digits and '-' (starting and ending with a letter or digit) joined by '.', at most 253 characters");
        }
        else if (!domain.Contains('.', StringComparison.Ordinal))
        {
            problems.Add(wildcard
                ? "a wildcard below a domain of at least two labels (e.g. *.example.com), not over a whole top-level domain"
                : "a fully qualified name of at least two labels (e.g. api.example.com)");
        }
        else if (domain[(domain.LastIndexOf('.') + 1)..].All(char.IsAsciiDigit))
        {
            problems.Add("a DNS name, not an IP address (the sidecar matches external hosts by name)");
        }
        else if (domain == ClusterDomain || domain.EndsWith("." + ClusterDomain, StringComparison.Ordinal))
        {
            problems.Add($"an external name: names under {ClusterDomain} are the cluster's own Services, which the mesh already knows");
        }
        else if (EgressManifest.ServiceEntryName(name).Length > MaxDnsNameLength)
        {
            problems.Add($"short enough that its ServiceEntry's name, {EgressManifest.ServiceEntryName(name)[..20]}…, has at most {MaxDnsNameLength} characters");
        }

        if (problems.Count == 0)
        {
            host = new EgressHost(name, port);
        }

        return problems;
    }

    /// <summary>The cluster's DNS domain: in-cluster Service names end in it (AKS uses Kubernetes' default).</summary>
    public const string ClusterDomain = "cluster.local";
}
