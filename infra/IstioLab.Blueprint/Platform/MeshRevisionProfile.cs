using System.Text.Json;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Platform;

/// <summary>One revision a location offers: what it may be upgraded to, and the Kubernetes versions it runs on.</summary>
public sealed record OfferedRevision(string Revision, IReadOnlyList<string> Upgrades, IReadOnlyList<string> KubernetesVersions);

/// <summary>
/// What Azure offers in one location today: ARM's mesh revision profile, the list <c>az aks mesh get-revisions</c>
/// prints. Source: Azure/azure-rest-api-specs, specification/containerservice/resource-manager/
/// Microsoft.ContainerService/aks/stable/2025-10-01/examples/ManagedClustersGet_MeshRevisionProfile.json
/// (<c>properties.meshRevisions[]</c> with <c>revision</c>, <c>upgrades</c> and <c>compatibleWith[].versions</c>).
/// </summary>
public sealed record MeshRevisionProfile(IReadOnlyList<OfferedRevision> Revisions)
{
    /// <summary>The offered revisions, oldest first.</summary>
    public IReadOnlyList<string> Offered => [.. Revisions.Select(r => r.Revision).OrderBy(MeshRevision.MinorOf)];

    public OfferedRevision? Find(string revision) => Revisions.FirstOrDefault(r => r.Revision == revision);

    /// <summary>Reads ARM's JSON answer; a body of another shape is a <see cref="FormatException"/>.</summary>
    public static MeshRevisionProfile Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var revisions = document.RootElement.GetProperty("properties").GetProperty("meshRevisions").EnumerateArray()
                .Select(r => new OfferedRevision(
                    r.GetProperty("revision").GetString() ?? throw new FormatException("a mesh revision without a name"),
                    Strings(r, "upgrades"),
                    r.TryGetProperty("compatibleWith", out var compatible)
                        ? [.. compatible.EnumerateArray().SelectMany(c => Strings(c, "versions")).Distinct(StringComparer.Ordinal)]
                        : []))
                .ToList();
            return revisions.Count == 0 ? throw new FormatException("the mesh revision profile lists no revision") : new MeshRevisionProfile(revisions);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("not a mesh revision profile: " + e.Message, e);
        }
    }

    private static List<string> Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(v => v.GetString() ?? "")]
            : [];
}

/// <summary>Where ARM serves the mesh revision profile, for the cloud the azure-native provider is configured for.</summary>
public static class MeshRevisionProfileApi
{
    /// <summary>A stable api-version that serves <c>meshRevisionProfiles</c>. Source: the 2025-10-01 example named on <see cref="MeshRevisionProfile"/>.</summary>
    public const string ApiVersion = "2025-10-01";

    /// <summary>The azure-native provider's config key naming its cloud, and its default.</summary>
    public const string EnvironmentKey = "azure-native:environment";
    public const string DefaultEnvironment = "public";

    /// <summary>
    /// ARM's endpoint per value of <c>azure-native:environment</c>. Source: the Pulumi azure-native provider's
    /// configuration reference (environment: public, usgovernment, china) and Azure's cloud endpoints
    /// (<c>az cloud show --name AzureCloud|AzureUSGovernment|AzureChinaCloud --query endpoints.resourceManager</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ArmEndpoints { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["public"] = "https://management.azure.com/",
        ["usgovernment"] = "https://management.usgovcloudapi.net/",
        ["china"] = "https://management.chinacloudapi.cn/",
    };

    /// <summary><c>GET {arm}/subscriptions/{id}/providers/Microsoft.ContainerService/locations/{location}/meshRevisionProfiles/istio</c>.</summary>
    public static Uri Url(string armEndpoint, string subscriptionId, string location)
    {
        ArgumentException.ThrowIfNullOrEmpty(armEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentException.ThrowIfNullOrEmpty(location);
        return new Uri(new Uri(armEndpoint),
            $"subscriptions/{Uri.EscapeDataString(subscriptionId)}/providers/Microsoft.ContainerService/locations/{Uri.EscapeDataString(location)}/meshRevisionProfiles/istio?api-version={ApiVersion}");
    }
}

/// <summary>
/// The revision rule against what Azure offers: a pinned revision must be offered in the location; a canary must be
/// offered and be in the stable revision's <c>upgrades</c>; from a revision Azure no longer offers, only the nearest
/// offered revision above it (articles/aks/istio-upgrade.md: from an unsupported n whose n+1 is unsupported too, the
/// nearest supported revision, "but not beyond it").
/// </summary>
public static class MeshRevisionOffer
{
    /// <summary>Every way the settings' revisions step outside <paramref name="profile"/>; empty when they stay inside it.</summary>
    public static IReadOnlyList<SettingError> Check(LabSettings settings, MeshRevisionProfile profile)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(profile);
        var errors = new List<SettingError>();
        if (settings.IstioRevision is not { } stable)
        {
            return errors;
        }

        var location = settings.Location;
        var offered = $"offered in {location}: {string.Join(", ", profile.Offered)} (`az aks mesh get-revisions --location {location} -o table`)";
        var stableKey = ConfigKeys.IstioRevision.FullName;
        var canaryKey = ConfigKeys.IstioCanaryRevision.FullName;
        var stableOffer = profile.Find(stable);

        if (settings.IstioCanaryRevision is not { } canary)
        {
            if (stableOffer is null)
            {
                errors.Add(new SettingError(stableKey, stable,
                    $"is not a revision Azure installs today{Note(stable)}; {offered}. A cluster that already runs it keeps working " +
                    $"but must move on: set {canaryKey} to a revision it may upgrade to (`az aks mesh get-upgrades`)"));
            }

            return errors;
        }

        if (profile.Find(canary) is null)
        {
            errors.Add(new SettingError(canaryKey, canary, $"is not a revision Azure offers today{Note(canary)}; {offered}"));
        }
        else if (stableOffer is not null)
        {
            if (!stableOffer.Upgrades.Contains(canary, StringComparer.Ordinal))
            {
                var upgrades = stableOffer.Upgrades.Count == 0 ? "none" : string.Join(", ", stableOffer.Upgrades);
                errors.Add(new SettingError(canaryKey, canary,
                    $"is not an upgrade Azure offers from {stableKey} '{stable}' in {location}; it offers: {upgrades} (all {offered})"));
            }
        }
        else
        {
            var nearest = profile.Offered.FirstOrDefault(r => MeshRevision.MinorOf(r) > MeshRevision.MinorOf(stable));
            if (nearest != canary)
            {
                errors.Add(new SettingError(canaryKey, canary,
                    $"must be {nearest ?? "a revision newer than it"}: {stableKey} '{stable}' is no longer offered{Note(stable)}, and from a retired " +
                    $"revision Azure upgrades only to the nearest offered one above it; {offered}"));
            }
        }

        return errors;
    }

    private static string Note(string revision) => MeshRevisionSupport.EndOfLifeNote(revision) is { Length: > 0 } note ? $" ({note})" : "";
}
