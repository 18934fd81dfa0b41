using YamlDotNet.RepresentationModel;

namespace IstioLab.Blueprint.Platform;

/// <summary>How the add-on classifies a MeshConfig field it admits.</summary>
public enum FieldSupport
{
    /// <summary>Azure support covers it.</summary>
    Supported,

    /// <summary>Admitted, but outside Azure support.</summary>
    Allowed,
}

/// <summary>
/// The add-on's contract for the user MeshConfig (<c>istio-shared-configmap-&lt;revision&gt;</c>): the fields its
/// admission webhook admits. Every MeshConfig field not listed is blocked, and a ConfigMap that sets one is refused.
/// Source: AKS docs articles/aks/istio-meshconfig.md, "Allowed, supported, and blocked MeshConfig values" (its
/// MeshConfig table and its ProxyConfig (meshConfig.defaultConfig) table), as of the August 2026 revision of the page.
/// </summary>
public static class AddOnMeshConfig
{
    /// <summary>Top-level MeshConfig fields. Source: the MeshConfig table of articles/aks/istio-meshconfig.md.</summary>
    public static IReadOnlyDictionary<string, FieldSupport> MeshFields { get; } = new Dictionary<string, FieldSupport>(StringComparer.Ordinal)
    {
        ["proxyListenPort"] = FieldSupport.Allowed,
        ["proxyInboundListenPort"] = FieldSupport.Allowed,
        ["proxyHttpPort"] = FieldSupport.Allowed,
        ["connectTimeout"] = FieldSupport.Allowed,
        ["tcpKeepalive"] = FieldSupport.Allowed,
        ["defaultConfig"] = FieldSupport.Supported,
        ["outboundTrafficPolicy"] = FieldSupport.Supported,
        ["extensionProviders"] = FieldSupport.Allowed,
        ["defaultProviders"] = FieldSupport.Allowed,
        ["accessLogFile"] = FieldSupport.Supported,
        ["accessLogFormat"] = FieldSupport.Supported,
        ["accessLogEncoding"] = FieldSupport.Supported,
        ["enableTracing"] = FieldSupport.Allowed,
        ["enableEnvoyAccessLogService"] = FieldSupport.Supported,
        ["disableEnvoyListenerLog"] = FieldSupport.Supported,
        ["trustDomain"] = FieldSupport.Allowed,
        ["trustDomainAliases"] = FieldSupport.Allowed,
        ["caCertificates"] = FieldSupport.Allowed,
        ["defaultServiceExportTo"] = FieldSupport.Allowed,
        ["defaultVirtualServiceExportTo"] = FieldSupport.Allowed,
        ["defaultDestinationRuleExportTo"] = FieldSupport.Allowed,
        ["localityLbSetting"] = FieldSupport.Allowed,
        ["dnsRefreshRate"] = FieldSupport.Allowed,
        ["h2UpgradePolicy"] = FieldSupport.Allowed,
        ["enablePrometheusMerge"] = FieldSupport.Allowed,
        ["discoverySelectors"] = FieldSupport.Supported,
        ["pathNormalization"] = FieldSupport.Allowed,
        ["defaultHttpRetryPolicy"] = FieldSupport.Allowed,
        ["serviceSettings"] = FieldSupport.Allowed,
        ["meshMTLS"] = FieldSupport.Allowed,
        ["tlsDefaults"] = FieldSupport.Allowed,
        ["ingressService"] = FieldSupport.Allowed,
        ["ingressSelector"] = FieldSupport.Allowed,
    };

    /// <summary>The ProxyConfig fields under <c>defaultConfig</c>. Source: the ProxyConfig table of articles/aks/istio-meshconfig.md.</summary>
    public static IReadOnlyDictionary<string, FieldSupport> ProxyConfigFields { get; } = new Dictionary<string, FieldSupport>(StringComparer.Ordinal)
    {
        ["tracingServiceName"] = FieldSupport.Allowed,
        ["drainDuration"] = FieldSupport.Supported,
        ["statsUdpAddress"] = FieldSupport.Allowed,
        ["proxyAdminPort"] = FieldSupport.Allowed,
        ["tracing"] = FieldSupport.Allowed,
        ["concurrency"] = FieldSupport.Supported,
        ["envoyAccessLogService"] = FieldSupport.Allowed,
        ["envoyMetricsService"] = FieldSupport.Allowed,
        ["proxyMetadata"] = FieldSupport.Allowed,
        ["statusPort"] = FieldSupport.Allowed,
        ["extraStatTags"] = FieldSupport.Allowed,
        ["gatewayTopology"] = FieldSupport.Allowed,
        ["proxyStatsMatcher"] = FieldSupport.Allowed,
        ["terminationDrainDuration"] = FieldSupport.Supported,
        ["meshId"] = FieldSupport.Allowed,
        ["holdApplicationUntilProxyStarts"] = FieldSupport.Supported,
        ["caCertificatesPem"] = FieldSupport.Allowed,
        ["privateKeyProvider"] = FieldSupport.Allowed,
        ["proxyHeaders"] = FieldSupport.Allowed,
    };

    /// <summary>The field that holds the ProxyConfig defaults, whose own fields <see cref="ProxyConfigFields"/> lists.</summary>
    public const string DefaultConfigField = "defaultConfig";

    /// <summary>
    /// Every field of the MeshConfig YAML <paramref name="meshYaml"/> (a shared ConfigMap's <c>mesh</c> key) that the
    /// add-on would block, as a path (<c>ingressControllerMode</c>, <c>defaultConfig.proxyStatsTags</c>); empty when
    /// the webhook admits them all.
    /// </summary>
    public static IReadOnlyList<string> BlockedFields(string meshYaml)
    {
        ArgumentNullException.ThrowIfNull(meshYaml);
        var stream = new YamlStream();
        using (var reader = new StringReader(meshYaml))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return [];
        }

        var blocked = new List<string>();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!MeshFields.ContainsKey(key))
            {
                blocked.Add(key);
            }
            else if (key == DefaultConfigField && value is YamlMappingNode proxy)
            {
                blocked.AddRange(proxy.Children.Keys
                    .Select(k => ((YamlScalarNode)k).Value ?? "")
                    .Where(k => !ProxyConfigFields.ContainsKey(k))
                    .Select(k => $"{DefaultConfigField}.{k}"));
            }
        }

        return blocked;
    }
}
