using System.Globalization;
using System.Text.RegularExpressions;
using IstioLab.Blueprint.Store;
using IstioLab.Blueprint.Traffic;

namespace IstioLab.Blueprint.Settings;

public sealed partial record LabSettings
{
    /// <summary>Canary, A/B routing, faults, timeouts, retries and circuit breaking; off unless a traffic key is set.</summary>
    public TrafficOptions Traffic { get; init; } = TrafficOptions.Off;

    /// <summary>
    /// Every traffic key, checked alone and against the others, into <paramref name="errors"/> with the rest: ranges,
    /// spellings, and the combinations that make no sense (an A/B header or a canary tag without a v2, a per-try timeout
    /// above the route timeout, retries that would re-roll an injected fault, a delay the check cannot wait for).
    /// </summary>
    private static TrafficOptions ParseTraffic(List<SettingError> errors, Func<ConfigKey, string> value, Func<ConfigKey, string?> optional, StoreVariant variant)
    {
        var weightText = optional(ConfigKeys.CanaryWeight);
        int? weight = null;
        if (weightText is not null)
        {
            var valid = int.TryParse(weightText, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is >= 0 and <= 100;
            Check(errors, ConfigKeys.CanaryWeight, weightText, valid, "a whole number from 0 to 100 (the percentage sent to store-front-v2), or unset for no canary");
            weight = valid ? w : -1;
        }

        var hasCanary = weight is not null;
        var tag = value(ConfigKeys.CanaryImageTag);
        Check(errors, ConfigKeys.CanaryImageTag, tag, ImageTagPattern().IsMatch(tag),
            "an image tag: 1-128 letters, digits, '_', '.' and '-', not starting with '.' or '-' (a release of ghcr.io/azure-samples/aks-store-demo/store-front)");
        var pinned = StoreCatalog.Workloads(variant).Single(w => w.Name == TrafficCatalog.CanaryWorkload).Version;
        if (hasCanary && tag == pinned)
        {
            errors.Add(new SettingError(ConfigKeys.CanaryImageTag.FullName, tag,
                $"is the release v1 already runs ({pinned}): the subsets tell v1 and v2 apart by release, so a canary needs another one, e.g. {TrafficCatalog.DefaultCanaryImageTag}; to promote, remove the canary"));
        }

        AbHeader? ab = null;
        if (optional(ConfigKeys.AbHeader) is { } abText)
        {
            var parts = abText.Split('=', 2);
            var name = parts[0].Trim();
            var headerValue = parts.Length == 2 ? parts[1].Trim() : "";
            var valid = parts.Length == 2 && HeaderNamePattern().IsMatch(name) && HeaderValuePattern().IsMatch(headerValue)
                && !ReservedHeaders.Contains(name) && !name.StartsWith("x-envoy-", StringComparison.Ordinal);
            Check(errors, ConfigKeys.AbHeader, abText, valid,
                "name=value: a lowercase header name (letters, digits, '-'; not " + string.Join(", ", ReservedHeaders) + " or x-envoy-*) and a value of 1-64 letters, digits, '.', '_', '~' or '-', e.g. x-store-variant=b");
            if (valid && !hasCanary)
            {
                errors.Add(new SettingError(ConfigKeys.AbHeader.FullName, abText,
                    $"needs a v2 to send the header's requests to: set {ConfigKeys.CanaryWeight.FullName} too (0 sends only the header's requests to v2)"));
            }

            ab = valid ? new AbHeader(name, headerValue) : null;
        }

        var abortPercent = Percentage(errors, ConfigKeys.FaultAbortPercent, optional(ConfigKeys.FaultAbortPercent), "answered with istio-lab:faultAbortStatus");
        var statusText = value(ConfigKeys.FaultAbortStatus);
        var statusValid = int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            && status is >= TrafficCatalog.MinAbortStatus and <= TrafficCatalog.MaxAbortStatus;
        Check(errors, ConfigKeys.FaultAbortStatus, statusText, statusValid,
            $"an HTTP error status from {TrafficCatalog.MinAbortStatus} to {TrafficCatalog.MaxAbortStatus}");

        var delayPercent = Percentage(errors, ConfigKeys.FaultDelayPercent, optional(ConfigKeys.FaultDelayPercent), "held for istio-lab:faultDelay");
        var delayText = value(ConfigKeys.FaultDelay);
        var delayValid = IstioDuration.TryParse(delayText, out var delay)
            && delay >= TrafficCatalog.MinFaultDelay && delay <= TrafficCatalog.MaxFaultDelay;
        Check(errors, ConfigKeys.FaultDelay, delayText, delayValid,
            $"{IstioDuration.Allowed}, from {IstioDuration.Format(TrafficCatalog.MinFaultDelay)} (shorter cannot be told from a slow response) " +
            $"to {IstioDuration.Format(TrafficCatalog.MaxFaultDelay)} (the traffic check waits {TrafficCheck.RequestTimeoutSeconds}s per request)");

        var timeout = Duration(errors, ConfigKeys.Timeout, optional(ConfigKeys.Timeout));

        RetryPolicy? retries = null;
        var attemptsText = optional(ConfigKeys.Retries);
        var perTry = Duration(errors, ConfigKeys.RetryPerTryTimeout, optional(ConfigKeys.RetryPerTryTimeout));
        var retryOnText = optional(ConfigKeys.RetryOn);
        if (attemptsText is not null)
        {
            var valid = int.TryParse(attemptsText, NumberStyles.None, CultureInfo.InvariantCulture, out var attempts)
                && attempts is >= 1 and <= TrafficCatalog.MaxRetryAttempts;
            Check(errors, ConfigKeys.Retries, attemptsText, valid, $"a whole number of retries from 1 to {TrafficCatalog.MaxRetryAttempts}, or unset for Istio's default policy");
            retries = new RetryPolicy(valid ? attempts : 0, perTry, retryOnText);
        }
        else
        {
            foreach (var (key, text) in new[] { (ConfigKeys.RetryPerTryTimeout, optional(ConfigKeys.RetryPerTryTimeout)), (ConfigKeys.RetryOn, retryOnText) })
            {
                if (text is not null)
                {
                    errors.Add(new SettingError(key.FullName, text, $"applies only to retries: set {ConfigKeys.Retries.FullName} too, or unset {key.FullName}"));
                }
            }
        }

        IReadOnlyList<string> conditions = [];
        if (retryOnText is not null)
        {
            conditions = [.. retryOnText.Split(',').Select(c => c.Trim())];
            var unknown = conditions.Where(c => !TrafficCatalog.RetryConditions.Contains(c) && !IsStatus(c)).ToList();
            Check(errors, ConfigKeys.RetryOn, retryOnText, unknown.Count == 0 && conditions.Count > 0,
                "a comma-separated list of HTTP status codes (e.g. 503) and of: " + string.Join(", ", TrafficCatalog.RetryConditions));
        }

        if (timeout is { } routeTimeout && perTry is { } tryTimeout && tryTimeout > routeTimeout)
        {
            errors.Add(new SettingError(ConfigKeys.RetryPerTryTimeout.FullName, IstioDuration.Format(tryTimeout),
                $"must not exceed {ConfigKeys.Timeout.FullName} '{IstioDuration.Format(routeTimeout)}', which bounds every try together"));
        }

        if (retries is not null && abortPercent is not null && statusValid && conditions.FirstOrDefault(c => TrafficCatalog.Retries(c, status)) is { } retried)
        {
            errors.Add(new SettingError(ConfigKeys.RetryOn.FullName, retryOnText!,
                $"retries the injected abort status {status} ('{retried}'): the gateway would retry the front end's answer and re-roll the fault, " +
                $"so the configured {ConfigKeys.FaultAbortPercent.FullName} would not be what users see; drop '{retried}' or pick another {ConfigKeys.FaultAbortStatus.FullName}"));
        }

        if (delayPercent is not null && delayValid && perTry is { } cut && cut < delay)
        {
            errors.Add(new SettingError(ConfigKeys.RetryPerTryTimeout.FullName, IstioDuration.Format(cut),
                $"is shorter than {ConfigKeys.FaultDelay.FullName} '{IstioDuration.Format(delay)}': every delayed try would be cut and retried, re-rolling the delay; " +
                $"use {ConfigKeys.Timeout.FullName} to cut delayed requests, or a per-try timeout above the delay"));
        }

        var cutsDelay = delayPercent is not null && delayValid && timeout is { } t && t < delay;
        if (cutsDelay && abortPercent is not null && statusValid && status == TrafficCatalog.TimeoutStatus)
        {
            errors.Add(new SettingError(ConfigKeys.FaultAbortStatus.FullName, statusText,
                $"is the status the gateway answers when {ConfigKeys.Timeout.FullName} cuts a delayed request: aborts and timeouts could not be told apart; pick another status"));
        }

        var circuitText = value(ConfigKeys.CircuitBreaker);
        var circuitValid = bool.TryParse(circuitText, out var circuitBreaker);
        Check(errors, ConfigKeys.CircuitBreaker, circuitText, circuitValid, "true or false");

        return new TrafficOptions
        {
            CanaryWeight = weight,
            CanaryImageTag = tag,
            AbHeader = ab,
            FaultAbortPercent = abortPercent,
            FaultAbortStatus = statusValid ? status : TrafficCatalog.DefaultAbortStatus,
            FaultDelayPercent = delayPercent,
            FaultDelay = delayValid ? delay : TrafficCatalog.DefaultFaultDelay,
            Timeout = timeout,
            Retries = retries,
            CircuitBreaker = circuitBreaker,
        };
    }

    /// <summary>Header names a rule must not match on: the one the routes set, and those proxies own.</summary>
    public static IReadOnlyList<string> ReservedHeaders { get; } = [TrafficCatalog.VersionHeader, "host", "content-length", "transfer-encoding", "connection"];

    private static double? Percentage(List<SettingError> errors, ConfigKey key, string? text, string what)
    {
        if (text is null)
        {
            return null;
        }

        var valid = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100;
        Check(errors, key, text, valid, $"a percentage from 0 to 100 (decimals allowed) of the store front's product API calls {what}, or unset");
        return valid ? percent : -1;
    }

    private static TimeSpan? Duration(List<SettingError> errors, ConfigKey key, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var valid = IstioDuration.TryParse(text, out var duration) && duration >= TrafficCatalog.MinTimeout && duration <= TrafficCatalog.MaxTimeout;
        Check(errors, key, text, valid, $"{IstioDuration.Allowed}, from {IstioDuration.Format(TrafficCatalog.MinTimeout)} to {IstioDuration.Format(TrafficCatalog.MaxTimeout)}, or unset");
        return valid ? duration : null;
    }

    private static bool IsStatus(string condition) =>
        int.TryParse(condition, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599;

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ImageTagPattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex HeaderNamePattern();

    [GeneratedRegex("^[A-Za-z0-9._~-]{1,64}$")]
    private static partial Regex HeaderValuePattern();
}
