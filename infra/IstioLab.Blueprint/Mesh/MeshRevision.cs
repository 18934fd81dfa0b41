using System.Globalization;

namespace IstioLab.Blueprint.Mesh;

/// <summary>
/// Picks the revision the application namespace is labelled with, from the revisions the cluster reports
/// (pitfall 1: never a hard-coded label). Normally the cluster runs one revision; during a canary upgrade it
/// runs two, and the configured revision decides; with none configured, the newest one is taken.
/// </summary>
public static class MeshRevision
{
    public static string Select(IReadOnlyList<string>? clusterRevisions, string? configured)
    {
        var revisions = clusterRevisions?.Where(r => !string.IsNullOrWhiteSpace(r)).ToList() ?? [];
        if (revisions.Count == 0)
        {
            throw new InvalidOperationException(
                "The cluster reports no Istio revision in serviceMeshProfile.istio.revisions: is the Istio add-on enabled (mode Istio)?");
        }

        if (configured is not null)
        {
            return revisions.Contains(configured, StringComparer.Ordinal)
                ? configured
                : throw new InvalidOperationException(
                    $"istio-lab:istioRevision is '{configured}' but the cluster runs {string.Join(", ", revisions)}; " +
                    "the add-on may have refused the revision (see `az aks mesh get-revisions`).");
        }

        return revisions.OrderBy(Minor).Last();
    }

    private static int Minor(string revision) =>
        int.TryParse(revision[(revision.LastIndexOf('-') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? minor : -1;
}
