using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace IstioLab.Tests;

/// <summary>
/// ARM as the revision check sees it: answers the mesh revision profile with a fixed body in the shape of the
/// published example (azure-rest-api-specs ManagedClustersGet_MeshRevisionProfile.json), or fails as an unreachable
/// or forbidding ARM would; records every request.
/// </summary>
internal sealed class FakeArm : IArmReader
{
    private static readonly string[] KubernetesVersions = ["1.33", "1.34"];

    private readonly Func<string> answer;

    private FakeArm(Func<string> answer) => this.answer = answer;

    /// <summary>Every URL asked for, with the bearer token sent.</summary>
    public ConcurrentQueue<(Uri Url, string Token)> Requests { get; } = new();

    /// <summary>A location offering exactly <paramref name="revisions"/>, each with its own upgrades.</summary>
    public static FakeArm Offering(params (string Revision, string[] Upgrades)[] revisions) => new(() => JsonSerializer.Serialize(new
    {
        id = "/subscriptions/x/providers/Microsoft.ContainerService/locations/westeurope/meshRevisionProfiles/istio",
        type = "Microsoft.ContainerService/locations/meshRevisionProfiles",
        name = "istio",
        properties = new
        {
            meshRevisions = revisions.Select(r => new
            {
                revision = r.Revision,
                upgrades = r.Upgrades,
                compatibleWith = new[] { new { name = "kubernetes", versions = KubernetesVersions } },
            }),
        },
    }));

    /// <summary>asm-1-<paramref name="first"/> to asm-1-<paramref name="last"/>, each upgradable to the next one or two.</summary>
    public static FakeArm OfferingUpgrades(int first, int last) => Offering([.. Enumerable.Range(first, last - first + 1).Select(minor => (
        Revision(minor),
        Enumerable.Range(minor + 1, 2).Where(m => m <= last).Select(Revision).ToArray()))]);

    /// <summary>An ARM that cannot be read (no network, or no permission).</summary>
    public static FakeArm Failing(Exception failure) => new(() => throw failure);

    public static string Revision(int minor) => "asm-1-" + minor.ToString(CultureInfo.InvariantCulture);

    public Task<string> GetAsync(Uri url, string bearerToken, CancellationToken cancellationToken)
    {
        Requests.Enqueue((url, bearerToken));
        return Task.FromResult(answer());
    }
}
