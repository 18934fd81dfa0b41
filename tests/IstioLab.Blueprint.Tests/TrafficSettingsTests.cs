using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Traffic;

namespace IstioLab.Blueprint.Tests;

/// <summary>The traffic keys: each value read, each out-of-range value and each nonsense combination refused, all at once.</summary>
public class TrafficSettingsTests
{
    private static LabSettings Parse(params (string Key, string Value)[] entries) =>
        LabSettings.Parse(entries.ToDictionary(e => e.Key, e => (string?)e.Value));

    private static IReadOnlyList<SettingError> Refused(params (string Key, string Value)[] entries) =>
        Assert.Throws<LabSettingsException>(() => Parse(entries)).Errors;

    private static void RefusedFor(string key, params (string Key, string Value)[] entries) =>
        Assert.Contains(Refused(entries), e => e.Key == key);

    [Fact]
    public void WithNoTrafficKeyTheFeatureIsOff()
    {
        var traffic = Parse().Traffic;

        Assert.False(traffic.Enabled);
        Assert.Null(traffic.CanaryWeight);
        Assert.Null(traffic.AbHeader);
        Assert.False(traffic.HasFault);
        Assert.Null(traffic.Timeout);
        Assert.Null(traffic.Retries);
        Assert.False(traffic.CircuitBreaker);
    }

    [Fact]
    public void TheCanaryRunsTheStoreReleaseAfterThePinnedOneByDefault()
    {
        // Azure-Samples/aks-store-demo: release 2.1.0 pins the images to 2.0.0, release 2.2.0 to 2.1.0.
        var traffic = Parse(("istio-lab:canaryWeight", "20")).Traffic;

        Assert.Equal(20, traffic.CanaryWeight);
        Assert.Equal("2.1.0", traffic.CanaryImageTag);
        Assert.True(traffic.Enabled);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10")]
    [InlineData("50")]
    [InlineData("100")]
    public void EveryStepOfACanaryIsAccepted(string weight) =>
        Assert.Equal(int.Parse(weight, System.Globalization.CultureInfo.InvariantCulture), Parse(("istio-lab:canaryWeight", weight)).Traffic.CanaryWeight);

    [Theory]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("12.5")]
    [InlineData("half")]
    public void ACanaryWeightOutsideZeroToOneHundredIsRefused(string weight) =>
        RefusedFor("istio-lab:canaryWeight", ("istio-lab:canaryWeight", weight));

    [Theory]
    [InlineData("-latest")]
    [InlineData("2.1.0 ")]
    [InlineData("v2/evil")]
    [InlineData("a:b")]
    public void ACanaryTagMustBeAnImageTag(string tag) =>
        RefusedFor("istio-lab:canaryImageTag", ("istio-lab:canaryWeight", "10"), ("istio-lab:canaryImageTag", tag + "x:"));

    [Fact]
    public void ACanaryOfThePinnedReleaseIsRefused()
    {
        var error = Assert.Single(Refused(("istio-lab:canaryWeight", "10"), ("istio-lab:canaryImageTag", "2.0.0")));

        Assert.Equal("istio-lab:canaryImageTag", error.Key);
        Assert.Contains("2.0.0", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAbHeaderIsReadAsNameAndValue()
    {
        var traffic = Parse(("istio-lab:canaryWeight", "0"), ("istio-lab:abHeader", "x-store-variant=b")).Traffic;

        Assert.Equal(new AbHeader("x-store-variant", "b"), traffic.AbHeader);
    }

    [Fact]
    public void AnAbHeaderWithoutAV2IsRefused()
    {
        var error = Assert.Single(Refused(("istio-lab:abHeader", "x-store-variant=b")));

        Assert.Equal("istio-lab:abHeader", error.Key);
        Assert.Contains("istio-lab:canaryWeight", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-store-variant")]
    [InlineData("=b")]
    [InlineData("X-Store-Variant=b")]
    [InlineData("x-store-version=v2")]
    [InlineData("host=example.com")]
    [InlineData("x-envoy-force-trace=1")]
    [InlineData("x-store-variant=b c")]
    [InlineData("x-store-variant=")]
    public void AMalformedOrReservedAbHeaderIsRefused(string header) =>
        RefusedFor("istio-lab:abHeader", ("istio-lab:canaryWeight", "10"), ("istio-lab:abHeader", header));

    [Fact]
    public void FaultsAreReadWithTheirStatusAndDelay()
    {
        var traffic = Parse(
            ("istio-lab:faultAbortPercent", "12.5"), ("istio-lab:faultAbortStatus", "500"),
            ("istio-lab:faultDelayPercent", "50"), ("istio-lab:faultDelay", "2500ms")).Traffic;

        Assert.Equal(12.5, traffic.FaultAbortPercent);
        Assert.Equal(500, traffic.FaultAbortStatus);
        Assert.Equal(50, traffic.FaultDelayPercent);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), traffic.FaultDelay);
        Assert.True(traffic.Enabled);
    }

    [Theory]
    [InlineData("istio-lab:faultAbortPercent", "100.1")]
    [InlineData("istio-lab:faultAbortPercent", "-5")]
    [InlineData("istio-lab:faultAbortPercent", "ten")]
    [InlineData("istio-lab:faultDelayPercent", "150")]
    [InlineData("istio-lab:faultAbortStatus", "200")]
    [InlineData("istio-lab:faultAbortStatus", "600")]
    [InlineData("istio-lab:faultDelay", "500ms")]
    [InlineData("istio-lab:faultDelay", "21s")]
    [InlineData("istio-lab:faultDelay", "5")]
    [InlineData("istio-lab:timeout", "0ms")]
    [InlineData("istio-lab:timeout", "11m")]
    [InlineData("istio-lab:timeout", "3 s")]
    [InlineData("istio-lab:retries", "0")]
    [InlineData("istio-lab:retries", "11")]
    [InlineData("istio-lab:circuitBreaker", "yes")]
    public void AValueOutOfRangeIsRefused(string key, string value)
    {
        // Beside valid faults and retries, so that only the value under test is wrong.
        var config = new Dictionary<string, string?>
        {
            ["istio-lab:faultAbortPercent"] = "10",
            ["istio-lab:faultDelayPercent"] = "10",
            ["istio-lab:retries"] = "2",
            [key] = value,
        };

        var error = Assert.Single(Assert.Throws<LabSettingsException>(() => LabSettings.Parse(config)).Errors);
        Assert.Equal(key, error.Key);
    }

    [Fact]
    public void TimeoutRetriesAndCircuitBreakerAreRead()
    {
        var traffic = Parse(("istio-lab:timeout", "3s"), ("istio-lab:retries", "2"), ("istio-lab:retryPerTryTimeout", "1s"),
            ("istio-lab:retryOn", "connect-failure,refused-stream,503"), ("istio-lab:circuitBreaker", "true")).Traffic;

        Assert.Equal(TimeSpan.FromSeconds(3), traffic.Timeout);
        Assert.Equal(new RetryPolicy(2, TimeSpan.FromSeconds(1), "connect-failure,refused-stream,503"), traffic.Retries);
        Assert.True(traffic.CircuitBreaker);
    }

    [Theory]
    [InlineData("retry-everything")]
    [InlineData("5xx,,reset")]
    [InlineData("999")]
    public void AnUnknownRetryConditionIsRefused(string retryOn) =>
        RefusedFor("istio-lab:retryOn", ("istio-lab:retries", "2"), ("istio-lab:retryOn", retryOn));

    [Theory]
    [InlineData("istio-lab:retryPerTryTimeout", "1s")]
    [InlineData("istio-lab:retryOn", "5xx")]
    public void RetryDetailsWithoutRetriesAreRefused(string key, string value)
    {
        var error = Assert.Single(Refused((key, value)));

        Assert.Equal(key, error.Key);
        Assert.Contains("istio-lab:retries", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void APerTryTimeoutLongerThanTheRouteTimeoutIsRefused()
    {
        var error = Assert.Single(Refused(("istio-lab:timeout", "2s"), ("istio-lab:retries", "3"), ("istio-lab:retryPerTryTimeout", "5s")));

        Assert.Equal("istio-lab:retryPerTryTimeout", error.Key);
        Assert.Contains("istio-lab:timeout", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5xx", "503")]
    [InlineData("gateway-error", "502")]
    [InlineData("connect-failure,503", "503")]
    [InlineData("retriable-4xx", "409")]
    public void RetriesThatWouldRetryTheInjectedAbortAreRefused(string retryOn, string status)
    {
        var error = Assert.Single(Refused(("istio-lab:retries", "2"), ("istio-lab:retryOn", retryOn),
            ("istio-lab:faultAbortPercent", "20"), ("istio-lab:faultAbortStatus", status)));

        Assert.Equal("istio-lab:retryOn", error.Key);
    }

    [Theory]
    [InlineData("gateway-error", "500")]
    [InlineData("connect-failure,refused-stream", "503")]
    [InlineData("retriable-4xx", "503")]
    public void RetriesThatLeaveTheAbortStatusAloneAreAccepted(string retryOn, string status) =>
        Assert.True(Parse(("istio-lab:retries", "2"), ("istio-lab:retryOn", retryOn), ("istio-lab:faultAbortPercent", "20"), ("istio-lab:faultAbortStatus", status)).Traffic.HasAbort);

    [Fact]
    public void APerTryTimeoutShorterThanTheDelayIsRefused() =>
        RefusedFor("istio-lab:retryPerTryTimeout",
            ("istio-lab:retries", "2"), ("istio-lab:retryPerTryTimeout", "1s"), ("istio-lab:faultDelayPercent", "50"), ("istio-lab:faultDelay", "3s"));

    [Fact]
    public void ATimeoutBelowTheDelayIsTheTimeoutExperiment()
    {
        var traffic = Parse(("istio-lab:timeout", "2s"), ("istio-lab:faultDelayPercent", "100"), ("istio-lab:faultDelay", "5s")).Traffic;

        Assert.True(traffic.TimeoutCutsDelay);
    }

    [Fact]
    public void AnAbortWithTheTimeoutsOwnStatusIsRefusedWhenTheTimeoutCutsTheDelay() =>
        RefusedFor("istio-lab:faultAbortStatus",
            ("istio-lab:timeout", "2s"), ("istio-lab:faultDelayPercent", "50"), ("istio-lab:faultDelay", "5s"),
            ("istio-lab:faultAbortPercent", "10"), ("istio-lab:faultAbortStatus", "504"));

    [Fact]
    public void EveryTrafficProblemIsReportedAtOnce()
    {
        var errors = Refused(("istio-lab:canaryWeight", "120"), ("istio-lab:faultAbortPercent", "200"), ("istio-lab:faultDelay", "1m"),
            ("istio-lab:timeout", "1s"), ("istio-lab:retries", "2"), ("istio-lab:retryPerTryTimeout", "2s"), ("istio-lab:circuitBreaker", "maybe"));

        Assert.Equal(
            ["istio-lab:canaryWeight", "istio-lab:circuitBreaker", "istio-lab:faultAbortPercent", "istio-lab:faultDelay", "istio-lab:retryPerTryTimeout"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }
}
