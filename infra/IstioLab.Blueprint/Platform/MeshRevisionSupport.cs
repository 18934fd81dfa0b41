using IstioLab.Blueprint.Mesh;

namespace IstioLab.Blueprint.Platform;

/// <summary>One add-on revision as the support policy last documented it.</summary>
/// <param name="Revision">The revision, <c>asm-1-&lt;minor&gt;</c>.</param>
/// <param name="EndOfLife">Its end of life as the calendar states it (an estimate while it ends in "expected").</param>
/// <param name="Retired">Past its end of life: Azure no longer installs it, so the lab no longer offers it in examples.</param>
/// <param name="Confirmed">False for a row the calendar does not list yet (UNCONFIRMED, inferred from the policy).</param>
public sealed record RevisionSupport(string Revision, string EndOfLife, bool Retired, bool Confirmed = true);

/// <summary>
/// The add-on's revisions and their support status as last documented, for messages and for the one documented
/// exception to the canary rule; never a substitute for what Azure offers today (the program reads the location's
/// mesh revision profile for that). Source: AKS docs articles/aks/istio-support-policy.md, "Service mesh add-on
/// release calendar" (August 2026 revision of the page), read in December 2026: every end of life up to and including
/// asm-1-29 (~Sept 2026) has passed.
/// </summary>
public static class MeshRevisionSupport
{
    /// <summary>When this table was last checked against the support policy.</summary>
    public const string AsOf = "December 2026";

    public static IReadOnlyList<RevisionSupport> Calendar { get; } =
    [
        new("asm-1-17", "Jan 2024", Retired: true),
        new("asm-1-18", "Feb 2024", Retired: true),
        new("asm-1-19", "Jun 2024", Retired: true),
        new("asm-1-20", "Sept 2024", Retired: true),
        new("asm-1-21", "Oct 2024", Retired: true),
        new("asm-1-22", "March 2025", Retired: true),
        new("asm-1-23", "June 2025", Retired: true),
        new("asm-1-24", "Sept 2025", Retired: true),
        new("asm-1-25", "Jan 2026", Retired: true),
        new("asm-1-26", "Apr 2026", Retired: true),
        new("asm-1-27", "May 2026", Retired: true),
        new("asm-1-28", "~Aug 2026 (expected)", Retired: true),
        new("asm-1-29", "~Sept 2026 (expected)", Retired: true),
        new("asm-1-30", "~Dec 2026 (expected)", Retired: false),

        // UNCONFIRMED: not in the calendar's last revision; inferred from the policy's "at least two revisions of
        // the add-on are supported at any time" with asm-1-30 the only listed one still in support. The program's
        // check against the location's mesh revision profile refuses it if Azure does not offer it.
        new("asm-1-31", "not yet in the calendar", Retired: false, Confirmed: false),
    ];

    /// <summary>The row of <paramref name="revision"/>, or null when the calendar does not list it.</summary>
    public static RevisionSupport? Find(string revision) => Calendar.FirstOrDefault(r => r.Revision == revision);

    /// <summary>Whether the calendar documents <paramref name="revision"/> as past its end of life (unknown ones are not).</summary>
    public static bool IsRetired(string revision) => Find(revision)?.Retired ?? false;

    /// <summary>A note for messages: "asm-1-27's documented end of life: May 2026"; empty for a revision not in the calendar.</summary>
    public static string EndOfLifeNote(string revision) => Find(revision) is { Retired: true } row
        ? $"{revision}'s documented end of life: {row.EndOfLife}"
        : "";

    /// <summary>
    /// The canary revisions the offline rule accepts from <paramref name="stable"/> (n): n+1 and n+2; and, as
    /// articles/aks/istio-upgrade.md allows when n and n+1 are both out of support, the nearest revision above n that
    /// the calendar does not show retired, even past n+2.
    /// </summary>
    public static IReadOnlyList<string> AllowedCanaries(string stable, int minorsAhead)
    {
        ArgumentNullException.ThrowIfNull(stable);
        var n = MeshRevision.MinorOf(stable);
        var allowed = Enumerable.Range(1, minorsAhead).Select(i => MeshRevision.WithMinor(n + i)).ToList();
        if (IsRetired(stable) && IsRetired(MeshRevision.WithMinor(n + 1)))
        {
            var nearest = n + 2;
            while (IsRetired(MeshRevision.WithMinor(nearest)))
            {
                nearest++;
            }

            var revision = MeshRevision.WithMinor(nearest);
            if (!allowed.Contains(revision))
            {
                allowed.Add(revision);
            }
        }

        return allowed;
    }
}
