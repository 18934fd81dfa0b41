namespace IstioLab.Blueprint.Traffic;

/// <summary>The A/B rule: requests carrying header <see cref="Name"/> with value <see cref="Value"/> always reach v2.</summary>
public sealed record AbHeader(string Name, string Value)
{
    public override string ToString() => $"{Name}={Value}";
}

/// <summary>A route's retry policy: attempts after the first try, each try's bound, and what is retried.</summary>
public sealed record RetryPolicy(int Attempts, TimeSpan? PerTryTimeout, string? RetryOn);

/// <summary>
/// Traffic management, validated: a canary of store-front (its weight and image tag), A/B routing by header,
/// faults injected into the store front's calls to its product API, and timeouts, retries and circuit breaking
/// for the store's calls. Everything is off by default, and off adds and changes nothing.
/// </summary>
public sealed record TrafficOptions
{
    /// <summary>Nothing configured: the workshop's single route to one version.</summary>
    public static TrafficOptions Off { get; } = new();

    /// <summary>The share (0-100) of the gateway's traffic sent to store-front-v2; null: no v2 at all.</summary>
    public int? CanaryWeight { get; init; }

    /// <summary>The store release v2 runs.</summary>
    public string CanaryImageTag { get; init; } = TrafficCatalog.DefaultCanaryImageTag;

    public AbHeader? AbHeader { get; init; }

    /// <summary>Percentage (0-100, decimals allowed) of the product API calls answered with <see cref="FaultAbortStatus"/>.</summary>
    public double? FaultAbortPercent { get; init; }

    public int FaultAbortStatus { get; init; } = TrafficCatalog.DefaultAbortStatus;

    /// <summary>Percentage (0-100) of the product API calls held for <see cref="FaultDelay"/> first.</summary>
    public double? FaultDelayPercent { get; init; }

    public TimeSpan FaultDelay { get; init; } = TrafficCatalog.DefaultFaultDelay;

    /// <summary>Bound of every lab route to the store's HTTP services; null: Istio's default (none).</summary>
    public TimeSpan? Timeout { get; init; }

    public RetryPolicy? Retries { get; init; }

    /// <summary>Connection-pool limits and outlier detection on the store's called services.</summary>
    public bool CircuitBreaker { get; init; }

    /// <summary>Whether store-front-v2, its subsets and the weighted gateway route exist.</summary>
    public bool HasCanary => CanaryWeight is not null;

    public bool HasAbort => FaultAbortPercent is not null;

    public bool HasDelay => FaultDelayPercent is not null;

    public bool HasFault => HasAbort || HasDelay;

    /// <summary>Whether a route timeout shorter than the injected delay turns delayed requests into 504s.</summary>
    public bool TimeoutCutsDelay => HasDelay && Timeout is { } timeout && timeout < FaultDelay;

    /// <summary>Whether the lab's routes to the store's services carry a timeout or retries.</summary>
    public bool HasResilienceRoutes => Timeout is not null || Retries is not null;

    /// <summary>Whether any traffic key is set: only then does the feature add or change anything.</summary>
    public bool Enabled => HasCanary || HasFault || HasResilienceRoutes || CircuitBreaker;
}
