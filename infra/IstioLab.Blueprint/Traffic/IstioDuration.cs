using System.Globalization;
using System.Text.RegularExpressions;

namespace IstioLab.Blueprint.Traffic;

/// <summary>
/// Durations as Istio's API writes them (1h/1m/1s/1ms: istio/api virtual_service.proto, HTTPRetry.per_try_timeout):
/// the lab reads and writes whole milliseconds, seconds or minutes.
/// </summary>
public static partial class IstioDuration
{
    public const string Allowed = "a whole number of ms, s or m (e.g. 500ms, 2s, 1m)";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000)
        {
            return false;
        }

        duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            _ => TimeSpan.FromMinutes(amount),
        };
        return true;
    }

    /// <summary>The shortest exact spelling: <c>2s</c>, <c>1500ms</c>, <c>1m</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        return ms % 60_000 == 0 && ms > 0 ? Text(ms / 60_000) + "m"
            : ms % 1000 == 0 && ms > 0 ? Text(ms / 1000) + "s"
            : Text(ms) + "ms";
    }

    /// <summary>Seconds with three decimals, as curl's <c>%{time_total}</c> is compared in the check.</summary>
    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^([0-9]+)(ms|s|m)$")]
    private static partial Regex Pattern();
}
