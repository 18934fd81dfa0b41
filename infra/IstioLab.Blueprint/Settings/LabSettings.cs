using System.Globalization;
using System.Text.RegularExpressions;
using IstioLab.Blueprint.Mesh;

namespace IstioLab.Blueprint.Settings;

/// <summary>The two AKS Store Demo manifests the workshop uses.</summary>
public enum StoreVariant
{
    /// <summary>All nine workloads, with MongoDB, store-admin and the virtual customer and worker.</summary>
    AllInOne,

    /// <summary>rabbitmq, order-service, product-service and store-front only.</summary>
    Quickstart,
}

/// <summary>Which control plane the store's sidecars follow while a canary upgrade runs two of them.</summary>
public enum DataPlane
{
    /// <summary>The canary revision: the upgrade's second step (the default while a canary is set).</summary>
    Canary,

    /// <summary>The stable revision: a roll back, with both control planes still running.</summary>
    Stable,
}

/// <summary>
/// Every knob of a stack, validated. Built once from stack config by <see cref="Parse"/>; immutable after.
/// The RabbitMQ password is not here: it stays a secret input of the Pulumi program.
/// </summary>
public sealed partial record LabSettings
{
    public required string Location { get; init; }
    public required string ResourceGroupName { get; init; }
    public required string ClusterName { get; init; }

    /// <summary>Null lets AKS pick its default version.</summary>
    public string? KubernetesVersion { get; init; }

    public required int NodeCount { get; init; }
    public required string NodeVmSize { get; init; }

    /// <summary>
    /// The stable revision. Null lets the add-on install its default revision; the namespace label then follows
    /// the cluster.
    /// </summary>
    public string? IstioRevision { get; init; }

    /// <summary>The revision a canary upgrade moves to; null when no upgrade is under way.</summary>
    public string? IstioCanaryRevision { get; init; }

    /// <summary>Which control plane the store follows during a canary upgrade; ignored without one.</summary>
    public DataPlane IstioDataPlane { get; init; } = DataPlane.Canary;

    /// <summary>
    /// The revisions sent to the add-on, older first: none (the add-on's default), the stable one, or the stable
    /// one and the canary while an upgrade runs.
    /// </summary>
    public IReadOnlyList<string> MeshRevisions => (IstioRevision, IstioCanaryRevision) switch
    {
        (null, _) => [],
        ({ } stable, null) => [stable],
        ({ } stable, { } canary) => [stable, canary],
    };

    /// <summary>
    /// The revision the store's namespace and pod templates follow: the canary while one is set and chosen, else
    /// the stable revision; null when none is configured (the cluster's revision is used then).
    /// </summary>
    public string? DataPlaneRevision => IstioCanaryRevision is { } canary && IstioDataPlane == DataPlane.Canary ? canary : IstioRevision;

    public required StoreVariant StoreVariant { get; init; }
    public required string AppNamespace { get; init; }
    public required string RabbitMqUsername { get; init; }
    public required bool Checks { get; init; }

    /// <summary>Managed Prometheus, Managed Grafana, Kiali and their checks.</summary>
    public bool Observability { get; init; } = true;

    /// <summary>Who gets Grafana Admin; null for the principal that runs the deployment.</summary>
    public string? GrafanaAdminObjectId { get; init; }

    /// <summary>Suffix of the namespace, outside the mesh, where the plaintext and gateway checks run.</summary>
    public const string OutsideNamespaceSuffix = "-outside-mesh";

    /// <summary>The namespace, with no sidecar injection, that the checks from outside the mesh run in.</summary>
    public string OutsideNamespace => AppNamespace + OutsideNamespaceSuffix;

    public const int MinNodeCount = 1;
    public const int MaxNodeCount = 100;

    /// <summary>
    /// How far ahead of the stable revision a canary may be: the add-on allows the next minor or the one after, and
    /// further only past revisions out of support (<see cref="Platform.MeshRevisionSupport.AllowedCanaries"/>).
    /// </summary>
    public const int MaxCanaryMinorsAhead = 2;

    /// <summary>Config spelling of each <see cref="DataPlane"/>.</summary>
    public static IReadOnlyDictionary<string, DataPlane> DataPlaneNames { get; } = new Dictionary<string, DataPlane>(StringComparer.Ordinal)
    {
        ["canary"] = DataPlane.Canary,
        ["stable"] = DataPlane.Stable,
    };

    /// <summary>Config spelling of each <see cref="Settings.StoreVariant"/>.</summary>
    public static IReadOnlyDictionary<string, StoreVariant> StoreVariantNames { get; } = new Dictionary<string, StoreVariant>(StringComparer.Ordinal)
    {
        ["all-in-one"] = StoreVariant.AllInOne,
        ["quickstart"] = StoreVariant.Quickstart,
    };

    /// <summary>Namespaces that belong to Kubernetes, AKS or the add-on and must not hold the store.</summary>
    public static IReadOnlyList<string> ReservedNamespaces { get; } =
        ["default", "kube-system", "kube-public", "kube-node-lease", "gatekeeper-system", "aks-istio-system", "aks-istio-ingress", "aks-istio-egress"];

    /// <summary>The config spelling of <see cref="StoreVariant"/>.</summary>
    public string StoreVariantName => StoreVariantNames.Single(pair => pair.Value == StoreVariant).Key;

    /// <summary>
    /// Reads and validates a plain key/value view of stack config (<c>istio-lab:name</c> and
    /// <c>azure-native:location</c>). Missing or empty keys take their defaults. Every problem is collected,
    /// then thrown at once as a <see cref="LabSettingsException"/>.
    /// </summary>
    /// <param name="config">The stack's config, keys in full.</param>
    /// <param name="clock">What an expiry is compared to; the system clock unless a test fixes one.</param>
    public static LabSettings Parse(IReadOnlyDictionary<string, string?> config, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<SettingError>();

        foreach (var key in config.Keys.Where(IsOurs).Order(StringComparer.Ordinal))
        {
            if (!ConfigKeys.All.Any(known => known.FullName == key))
            {
                errors.Add(new SettingError(key, config[key] ?? "", "is not a setting of this lab; known keys: " +
                    string.Join(", ", ConfigKeys.All.Where(k => k.Namespace == ConfigKeys.ProjectNamespace).Select(k => k.FullName))));
            }
        }

        string Value(ConfigKey key) => config.TryGetValue(key.FullName, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : key.Default;
        string? Optional(ConfigKey key) => Value(key) is { Length: > 0 } v ? v : null;

        var location = Value(ConfigKeys.Location);
        Check(errors, ConfigKeys.Location, location, LocationPattern().IsMatch(location),
            "lowercase letters and digits only, as Azure names regions (e.g. westeurope, eastus2)");

        var resourceGroup = Value(ConfigKeys.ResourceGroupName);
        Check(errors, ConfigKeys.ResourceGroupName, resourceGroup,
            resourceGroup.Length <= 90 && ResourceGroupPattern().IsMatch(resourceGroup) && !resourceGroup.EndsWith('.'),
            "1-90 characters: letters, digits, '-', '_', '.', '(' and ')', not ending in '.'");

        var cluster = Value(ConfigKeys.ClusterName);
        Check(errors, ConfigKeys.ClusterName, cluster, cluster.Length <= 63 && ClusterPattern().IsMatch(cluster),
            "1-63 characters: letters, digits, '-' and '_', starting and ending with a letter or digit");

        var kubernetesVersion = Optional(ConfigKeys.KubernetesVersion);
        if (kubernetesVersion is not null)
        {
            Check(errors, ConfigKeys.KubernetesVersion, kubernetesVersion, KubernetesVersionPattern().IsMatch(kubernetesVersion),
                "MAJOR.MINOR or MAJOR.MINOR.PATCH (e.g. 1.33 or 1.33.2), or empty for AKS's default");
        }

        var nodeCountText = Value(ConfigKeys.NodeCount);
        var nodeCountValid = int.TryParse(nodeCountText, NumberStyles.None, CultureInfo.InvariantCulture, out var nodeCount)
            && nodeCount is >= MinNodeCount and <= MaxNodeCount;
        Check(errors, ConfigKeys.NodeCount, nodeCountText, nodeCountValid,
            $"a whole number from {MinNodeCount} to {MaxNodeCount}");

        var vmSize = Value(ConfigKeys.NodeVmSize);
        Check(errors, ConfigKeys.NodeVmSize, vmSize, VmSizePattern().IsMatch(vmSize),
            "an Azure VM size name such as Standard_D4ds_v5 (Standard_ followed by letters, digits and '_')");

        var nodeSshAccess = ParseNodeSshAccess(Optional(ConfigKeys.NodeSshAccess), errors);

        var revision = Optional(ConfigKeys.IstioRevision);
        if (revision is not null)
        {
            Check(errors, ConfigKeys.IstioRevision, revision, RevisionPattern().IsMatch(revision),
                "asm-1-<minor>, one that `az aks mesh get-revisions --location <region> -o table` lists today, or empty for the add-on's default");
        }

        var (canary, dataPlane) = ParseCanary(errors, revision, Optional(ConfigKeys.IstioCanaryRevision), Optional(ConfigKeys.IstioDataPlane));

        var variantText = Value(ConfigKeys.StoreVariant);
        var variantKnown = StoreVariantNames.TryGetValue(variantText, out var variant);
        Check(errors, ConfigKeys.StoreVariant, variantText, variantKnown,
            "one of: " + string.Join(", ", StoreVariantNames.Keys));

        var appNamespace = Value(ConfigKeys.AppNamespace);
        Check(errors, ConfigKeys.AppNamespace, appNamespace, Dns1123LabelPattern().IsMatch(appNamespace) && appNamespace.Length <= 63,
            "a DNS-1123 label: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        Check(errors, ConfigKeys.AppNamespace, appNamespace, !ReservedNamespaces.Contains(appNamespace) && !appNamespace.StartsWith("kube-", StringComparison.Ordinal),
            "a namespace of the lab's own, not one of: " + string.Join(", ", ReservedNamespaces) + " or kube-*");
        Check(errors, ConfigKeys.AppNamespace, appNamespace, appNamespace.Length <= 63 - OutsideNamespaceSuffix.Length,
            $"at most {63 - OutsideNamespaceSuffix.Length} characters, so that '<namespace>{OutsideNamespaceSuffix}' (the checks' namespace outside the mesh) is valid too");

        var user = Value(ConfigKeys.RabbitMqUsername);
        Check(errors, ConfigKeys.RabbitMqUsername, user, UserPattern().IsMatch(user),
            "1-64 characters: letters, digits, '-', '_' and '.'");

        var checksText = Value(ConfigKeys.Checks);
        var checksValid = bool.TryParse(checksText, out var checks);
        Check(errors, ConfigKeys.Checks, checksText, checksValid, "true or false");

        var observabilityText = Value(ConfigKeys.Observability);
        var observabilityValid = bool.TryParse(observabilityText, out var observability);
        Check(errors, ConfigKeys.Observability, observabilityText, observabilityValid, "true or false");

        var grafanaAdmin = Optional(ConfigKeys.GrafanaAdminObjectId);
        if (grafanaAdmin is not null)
        {
            Check(errors, ConfigKeys.GrafanaAdminObjectId, grafanaAdmin, Guid.TryParseExact(grafanaAdmin, "D", out _),
                "an Entra object id in GUID form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: `az ad signed-in-user show --query id -o tsv`), or empty for the principal that runs pulumi up");
        }

        var authorization = ParseAuthorization(Value(ConfigKeys.Authorization), errors);

        var https = ParseHttps(errors, Value, Optional, resourceGroup, cluster, location);

        var workshopStep = ParseWorkshopStep(errors, Value, Optional);
        var (egress, egressHosts) = ParseEgress(errors, Value(ConfigKeys.Egress), Value(ConfigKeys.EgressHosts), checksValid && checks);
        var userAuth = ParseUserAuth(errors, Value, Optional);
        var traffic = ParseTraffic(errors, Value, Optional, variantKnown ? variant : StoreVariant.AllInOne);
        var cleanup = ParseCleanup(errors, Optional, clock.GetUtcNow());

        if (errors.Count > 0)
        {
            throw new LabSettingsException(errors);
        }

        return new LabSettings
        {
            Location = location,
            ResourceGroupName = resourceGroup,
            ClusterName = cluster,
            KubernetesVersion = kubernetesVersion,
            NodeCount = nodeCount,
            NodeVmSize = vmSize,
            NodeSshAccess = nodeSshAccess,
            IstioRevision = revision,
            IstioCanaryRevision = canary,
            IstioDataPlane = dataPlane,
            StoreVariant = variant,
            AppNamespace = appNamespace,
            RabbitMqUsername = user,
            Checks = checks,
            Observability = observability,
            GrafanaAdminObjectId = grafanaAdmin?.ToLowerInvariant(),
            Authorization = authorization,
            Https = https,
            WorkshopStep = workshopStep,
            Egress = egress,
            EgressHosts = egressHosts,
            UserAuth = userAuth,
            Traffic = traffic,
            Cleanup = cleanup,
        };
    }

    /// <summary>The settings with every key at its default.</summary>
    public static LabSettings Defaults => Parse(new Dictionary<string, string?>());

    /// <summary>
    /// The canary rules: a canary starts from a configured stable revision, is one or two minors newer than it (or
    /// the nearest supported one when the stable revision and the next are both out of support), and the data-plane
    /// choice exists only while a canary does. What Azure offers today is checked by the Pulumi program, not here.
    /// </summary>
    private static (string? Canary, DataPlane DataPlane) ParseCanary(List<SettingError> errors, string? stable, string? canary, string? dataPlaneText)
    {
        var stableKey = ConfigKeys.IstioRevision.FullName;
        if (canary is not null)
        {
            var canaryKey = ConfigKeys.IstioCanaryRevision;
            if (!RevisionPattern().IsMatch(canary))
            {
                Check(errors, canaryKey, canary, false, "asm-1-<minor> (`az aks mesh get-upgrades` lists what your cluster may move to), or empty when no upgrade is under way");
            }
            else if (stable is null)
            {
                errors.Add(new SettingError(canaryKey.FullName, canary,
                    $"needs {stableKey} set to the revision the cluster runs now (the stable one): a canary upgrade starts from a pinned revision; " +
                    "`az aks show --query serviceMeshProfile.istio.revisions` shows it"));
            }
            else if (RevisionPattern().IsMatch(stable))
            {
                var ahead = MeshRevision.MinorOf(canary) - MeshRevision.MinorOf(stable);
                var canaries = Platform.MeshRevisionSupport.AllowedCanaries(stable, MaxCanaryMinorsAhead);
                var allowed = string.Join(" or ", canaries);
                if (ahead <= 0)
                {
                    errors.Add(new SettingError(canaryKey.FullName, canary, $"must be newer than {stableKey} '{stable}' (the add-on upgrades, never downgrades): {allowed}"));
                }
                else if (!canaries.Contains(canary))
                {
                    errors.Add(new SettingError(canaryKey.FullName, canary, $"must be at most {MaxCanaryMinorsAhead} minors ahead of {stableKey} '{stable}', " +
                        $"or the nearest supported revision when '{stable}' and the next one are both out of support: {allowed}"));
                }
            }
        }

        if (dataPlaneText is null)
        {
            return (canary, DataPlane.Canary);
        }

        var dataPlaneKey = ConfigKeys.IstioDataPlane;
        if (!DataPlaneNames.TryGetValue(dataPlaneText, out var dataPlane))
        {
            Check(errors, dataPlaneKey, dataPlaneText, false, "one of: " + string.Join(", ", DataPlaneNames.Keys) + " (or unset)");
        }
        else if (canary is null)
        {
            errors.Add(new SettingError(dataPlaneKey.FullName, dataPlaneText,
                $"applies only during a canary upgrade: set {ConfigKeys.IstioCanaryRevision.FullName} too, or unset {dataPlaneKey.FullName} " +
                $"(`pulumi config rm {dataPlaneKey.FullName}`)"));
        }

        return (canary, dataPlane);
    }

    private static bool IsOurs(string key) => key.StartsWith(ConfigKeys.ProjectNamespace + ":", StringComparison.Ordinal);

    private static void Check(List<SettingError> errors, ConfigKey key, string value, bool valid, string allowed)
    {
        if (!valid)
        {
            errors.Add(new SettingError(key.FullName, value, "must be " + allowed));
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9]{1,39}$")]
    private static partial Regex LocationPattern();

    [GeneratedRegex(@"^[\p{L}\p{Nd}_().-]+$")]
    private static partial Regex ResourceGroupPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$")]
    private static partial Regex ClusterPattern();

    [GeneratedRegex(@"^[1-9][0-9]*\.[0-9]+(\.[0-9]+)?$")]
    private static partial Regex KubernetesVersionPattern();

    [GeneratedRegex("^Standard_[A-Za-z0-9_]+$")]
    private static partial Regex VmSizePattern();

    [GeneratedRegex("^asm-1-[1-9][0-9]*$")]
    private static partial Regex RevisionPattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex Dns1123LabelPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex UserPattern();
}

/// <summary>One problem with one setting: the key, the value given, and what is allowed.</summary>
public sealed record SettingError(string Key, string Value, string Problem)
{
    public override string ToString() => $"{Key} = '{Value}' {Problem}.";
}

/// <summary>Thrown by <see cref="LabSettings.Parse"/> with every problem found, before any resource exists.</summary>
public sealed class LabSettingsException : Exception
{
    public LabSettingsException(IReadOnlyList<SettingError> errors)
        : base("Invalid stack configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public LabSettingsException()
        : this([])
    {
    }

    public LabSettingsException(string message)
        : base(message)
    {
        Errors = [];
    }

    public LabSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<SettingError> Errors { get; }
}
