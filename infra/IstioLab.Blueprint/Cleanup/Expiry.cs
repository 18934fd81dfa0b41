using System.Globalization;
using System.Text.RegularExpressions;

namespace IstioLab.Blueprint.Cleanup;

/// <summary>
/// When a lab ends: a fixed UTC time (<c>istio-lab:expiresAt</c>), or a time to live (<c>istio-lab:ttl</c>) that
/// is turned into one once, outside the program, so every preview sees the same time.
/// </summary>
public static partial class Expiry
{
    /// <summary>How the lab writes an expiry: ISO 8601, UTC, to the second, e.g. <c>2026-12-05T18:00:00Z</c>.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The shortest time to live: an hour, the expiry workflow's schedule.</summary>
    public static readonly TimeSpan MinTtl = TimeSpan.FromHours(1);

    /// <summary>The longest time to live; a lab meant to live longer sets no expiry or a fixed time.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(30);

    /// <summary>The forms an expiry may take: to the second or to the minute, always with the UTC designator Z.</summary>
    private static readonly string[] AcceptedFormats = [Format, "yyyy-MM-dd'T'HH:mm'Z'"];

    /// <summary>Reads an ISO 8601 UTC time such as <c>2026-12-05T18:00:00Z</c>; anything without the trailing Z is refused.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = DateTime.TryParseExact(text, AcceptedFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc);
        time = parsed ? new DateTimeOffset(utc, TimeSpan.Zero) : default;
        return parsed;
    }

    /// <summary>Reads a time to live: a whole number of hours or days, <c>8h</c> or <c>2d</c>, from <see cref="MinTtl"/> to <see cref="MaxTtl"/>.</summary>
    public static bool TryParseTtl(string text, out TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(text);
        ttl = default;
        var match = TtlPattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        ttl = match.Groups["unit"].Value == "d" ? TimeSpan.FromDays(n) : TimeSpan.FromHours(n);
        return ttl >= MinTtl && ttl <= MaxTtl;
    }

    /// <summary>The expiry as the lab writes it, in config, in the <c>expires-at</c> tag and in the stack output.</summary>
    public static string Text(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    [GeneratedRegex("^(?<n>[1-9][0-9]{0,3})(?<unit>[hd])$")]
    private static partial Regex TtlPattern();
}
