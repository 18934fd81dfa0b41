using System.Globalization;

namespace IstioLab.Blueprint.Mesh;

/// <summary>
/// Picks the revision the application namespace is labelled with (pitfall 1: never a hard-coded label).
/// A configured revision is the one the lab sends to the add-on: the cluster update either installs it or fails
/// before the namespace changes, so it wins, even while a preview still shows the cluster's previous list.
/// With none configured, the label follows what the cluster reports: its only revision, or the newest of two
/// during a canary upgrade.
/// </summary>
public static class MeshRevision
{
    public static string Select(IReadOnlyList<string>? clusterRevisions, string? configured)
    {
        if (configured is not null)
        {
            return configured;
        }

        var revisions = clusterRevisions?.Where(r => !string.IsNullOrWhiteSpace(r)).ToList() ?? [];
        if (revisions.Count == 0)
        {
            throw new InvalidOperationException(
                "The cluster reports no Istio revision in serviceMeshProfile.istio.revisions: is the Istio add-on enabled (mode Istio)?");
        }

        return revisions.OrderBy(MinorOf).Last();
    }

    /// <summary>The Istio minor of an <c>asm-1-&lt;minor&gt;</c> revision; -1 for anything else.</summary>
    public static int MinorOf(string revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        return int.TryParse(revision[(revision.LastIndexOf('-') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? minor : -1;
    }

    /// <summary>The add-on's name for Istio 1.<paramref name="minor"/>.</summary>
    public static string WithMinor(int minor) => $"asm-1-{minor.ToString(CultureInfo.InvariantCulture)}";
}
