using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Traffic;

/// <summary>One HTTP service the store's workloads call: its name and the port its Service listens on.</summary>
public sealed record CalledService(string Name, int Port);

/// <summary>
/// Traffic management's objects, derived from the settings and the store catalog: store-front-v2 and the subsets
/// that tell the versions apart, the gateway routes (weights, the A/B rule, the version header, timeout and
/// retries), one in-mesh VirtualService per called HTTP service (timeout, retries and, for the product API, the
/// faults) and one DestinationRule per called service with circuit breaking. With no traffic key set, nothing.
/// </summary>
public static class TrafficManifest
{
    /// <summary>Every traffic object the Pulumi component applies, in order: v2, then DestinationRules, then VirtualServices.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. Workloads(settings), .. DestinationRules(settings), .. MeshRoutes(settings)];
    }

    /// <summary>store-front-v2 when a canary is configured; else nothing.</summary>
    public static IReadOnlyList<V1Deployment> Workloads(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Traffic.HasCanary ? [CanaryDeployment(settings)] : [];
    }

    /// <summary>
    /// The services the store's workloads call over HTTP, from the catalog's call graph: each callee that this variant
    /// deploys with an HTTP port (ai-service, which product-service would call, is deployed by neither).
    /// </summary>
    public static IReadOnlyList<CalledService> CalledServices(StoreVariant variant)
    {
        var workloads = StoreCatalog.Workloads(variant);
        var callees = workloads.SelectMany(w => w.Calls).Where(c => c.Protocol == CallProtocol.Http).Select(c => c.Callee).ToHashSet(StringComparer.Ordinal);
        return [.. workloads
            .Where(w => callees.Contains(w.Name))
            .Select(w => new CalledService(w.Name, w.Ports.Single(p => p.Protocol == "http").ServicePort))];
    }

    /// <summary>
    /// The pod labels of a store workload: with a canary, store-front's v1 pods also carry <c>version: v1</c>, which
    /// the v1 subset selects and Kiali reads. Every other case returns <paramref name="labels"/> itself, unchanged.
    /// </summary>
    public static Dictionary<string, string> PodLabels(LabSettings settings, Workload workload, Dictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(workload);
        if (!settings.Traffic.HasCanary || workload.Name != TrafficCatalog.CanaryWorkload)
        {
            return labels;
        }

        return new Dictionary<string, string>(labels) { [TrafficCatalog.VersionLabel] = TrafficCatalog.StableSubset };
    }

    /// <summary>
    /// store-front's second version: the same workload (same Service, same identity, same probes and limits) on the
    /// canary release, its pods labelled <c>version: v2</c>. Its selector adds the version label, so it never selects
    /// v1's pods; v1's selector (<c>app</c> only, immutable since the store was first deployed) does match v2's pods,
    /// which is harmless: a Deployment only manages ReplicaSets it owns.
    /// </summary>
    public static V1Deployment CanaryDeployment(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var stable = StoreCatalog.Workloads(settings.StoreVariant).Single(w => w.Name == TrafficCatalog.CanaryWorkload);
        var image = stable.Image[..(stable.Image.LastIndexOf(':') + 1)] + settings.Traffic.CanaryImageTag;
        var workloads = StoreCatalog.Workloads(settings.StoreVariant);
        var deployment = (V1Deployment)StoreManifest.Controller(stable with { Image = image }, settings, StartupWaits.For(stable, workloads));
        deployment.Metadata.Name = TrafficCatalog.CanaryDeploymentName;
        deployment.Spec.Selector.MatchLabels[TrafficCatalog.VersionLabel] = TrafficCatalog.CanarySubset;
        deployment.Spec.Template.Metadata.Labels[TrafficCatalog.VersionLabel] = TrafficCatalog.CanarySubset;
        return deployment;
    }

    /// <summary>The release v1 runs: the tag of the store front's pinned image.</summary>
    public static string StableRelease(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return StoreCatalog.Workloads(settings.StoreVariant).Single(w => w.Name == TrafficCatalog.CanaryWorkload).Version;
    }

    /// <summary>
    /// With a canary, store-front's subsets v1 and v2 by the release their pods run (<see cref="TrafficCatalog.SubsetLabel"/>);
    /// with circuit breaking, one rule per called service with connection-pool limits and outlier detection.
    /// </summary>
    public static IReadOnlyList<DestinationRule> DestinationRules(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var traffic = settings.Traffic;
        var subsets = traffic.HasCanary
            ? new[]
            {
                new DestinationRule
                {
                    Metadata = Kube.Meta(TrafficCatalog.CanaryWorkload, settings.AppNamespace, Labels),
                    Spec = new DestinationRuleSpec
                    {
                        Host = TrafficCatalog.CanaryWorkload,
                        Subsets =
                        [
                            .. new[] { (TrafficCatalog.StableSubset, StableRelease(settings)), (TrafficCatalog.CanarySubset, traffic.CanaryImageTag) }.Select(s => new Subset
                            {
                                Name = s.Item1,
                                Labels = new Dictionary<string, string> { [TrafficCatalog.SubsetLabel] = s.Item2 },
                            }),
                        ],
                    },
                },
            }
            : [];
        var breakers = traffic.CircuitBreaker
            ? CalledServices(settings.StoreVariant).Select(s => new DestinationRule
            {
                Metadata = Kube.Meta(s.Name, settings.AppNamespace, Labels),
                Spec = new DestinationRuleSpec { Host = s.Name, TrafficPolicy = CircuitBreaking },
            })
            : [];
        return [.. subsets, .. breakers];
    }

    /// <summary>
    /// The in-mesh routes: for each called service, a VirtualService with the timeout and retries when set; the
    /// product API's also carries the faults, on a route that only the store front's calls take (so the checks' own
    /// requests to it, and every other caller's, are never faulted). Istio enables no timeout or retries on a route
    /// with a fault, so the faulted route carries neither.
    /// </summary>
    public static IReadOnlyList<VirtualService> MeshRoutes(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var traffic = settings.Traffic;
        var services = CalledServices(settings.StoreVariant);
        if (traffic.HasFault && !services.Any(s => s.Name == TrafficCatalog.FaultTarget))
        {
            throw new InvalidOperationException($"the fault target {TrafficCatalog.FaultTarget} is not a called HTTP service of the {settings.StoreVariantName} store");
        }

        if (traffic.HasFault && !StoreCatalog.Workloads(settings.StoreVariant).Single(w => w.Name == TrafficCatalog.FaultCaller).Calls.Any(c => c.Callee == TrafficCatalog.FaultTarget))
        {
            throw new InvalidOperationException($"{TrafficCatalog.FaultCaller} does not call {TrafficCatalog.FaultTarget}: the faults would never be seen");
        }

        return [.. services
            .Where(s => traffic.HasResilienceRoutes || (traffic.HasFault && s.Name == TrafficCatalog.FaultTarget))
            .Select(s => new VirtualService
            {
                Metadata = Kube.Meta(s.Name, settings.AppNamespace, Labels),
                Spec = new VirtualServiceSpec
                {
                    Hosts = [s.Name],
                    Http =
                    [
                        .. traffic.HasFault && s.Name == TrafficCatalog.FaultTarget ? [FaultRoute(traffic, s)] : Array.Empty<HttpRoute>(),
                        Resilient(traffic, new HttpRoute
                        {
                            Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/" } }],
                            Route = [new HttpRouteDestination { Destination = new Destination { Host = s.Name, Port = new PortSelector { Number = s.Port } } }],
                        }),
                    ],
                },
            })];
    }

    /// <summary>
    /// The gateway's routes to store-front: <paramref name="workshopRoutes"/> (the workshop's one route) unchanged when
    /// no canary, timeout or retries are set. Else, with a canary, the A/B rule first (its header always reaches v2),
    /// then the weighted split; every destination sets the version header to its subset. Timeout and retries go on
    /// every route.
    /// </summary>
    public static List<HttpRoute> GatewayRoutes(LabSettings settings, List<HttpRoute> workshopRoutes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(workshopRoutes);
        var traffic = settings.Traffic;
        if (!traffic.HasCanary)
        {
            return traffic.HasResilienceRoutes ? [.. workshopRoutes.Select(r => Resilient(traffic, r))] : workshopRoutes;
        }

        var weight = traffic.CanaryWeight!.Value;
        List<HttpRoute> routes = [];
        if (traffic.AbHeader is { } ab)
        {
            routes.Add(Resilient(traffic, new HttpRoute
            {
                Name = "ab-test",
                Match =
                [
                    new HttpMatchRequest
                    {
                        Uri = new StringMatch { Prefix = "/" },
                        Headers = new Dictionary<string, StringMatch> { [ab.Name] = new StringMatch { Exact = ab.Value } },
                    },
                ],
                Route = [Version(TrafficCatalog.CanarySubset, null)],
            }));
        }

        routes.Add(Resilient(traffic, new HttpRoute
        {
            Name = "canary",
            Match = [new HttpMatchRequest { Uri = new StringMatch { Prefix = "/" } }],
            Route = weight switch
            {
                0 => [Version(TrafficCatalog.StableSubset, null)],
                100 => [Version(TrafficCatalog.CanarySubset, null)],
                _ => [Version(TrafficCatalog.StableSubset, 100 - weight), Version(TrafficCatalog.CanarySubset, weight)],
            },
        }));
        return routes;
    }

    /// <summary>
    /// The store front's workload that takes most of the gateway's traffic: store-front-v2 above a weight of 50, else
    /// store-front. The kiali check looks for the gateway's edge to it, drawn from the traffic check's requests.
    /// </summary>
    public static string GatewayWorkload(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Traffic.CanaryWeight > 50 ? TrafficCatalog.CanaryDeploymentName : TrafficCatalog.CanaryWorkload;
    }

    /// <summary>The PromQL matcher for the store front's workloads: <c>="store-front"</c>, or both versions with a canary.</summary>
    public static string StoreFrontWorkloadsMatcher(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Traffic.HasCanary
            ? $"""=~"{TrafficCatalog.CanaryWorkload}|{TrafficCatalog.CanaryDeploymentName}" """.TrimEnd()
            : $"""="{TrafficCatalog.CanaryWorkload}" """.TrimEnd();
    }

    /// <summary>The labels of every traffic object that is not a workload.</summary>
    public static Dictionary<string, string> Labels => new()
    {
        ["app.kubernetes.io/part-of"] = Kube.StorePartOf,
        ["app.kubernetes.io/managed-by"] = Kube.ManagedBy,
        ["app.kubernetes.io/component"] = "traffic-management",
    };

    private static HttpRouteDestination Version(string subset, int? weight) => new()
    {
        Destination = new Destination
        {
            Host = TrafficCatalog.CanaryWorkload,
            Subset = subset,
            Port = new PortSelector { Number = StoreCatalog.StoreFrontServicePort },
        },
        Weight = weight,
        Headers = new RouteHeaders { Response = new HeaderOperations { Set = new Dictionary<string, string> { [TrafficCatalog.VersionHeader] = subset } } },
    };

    private static HttpRoute FaultRoute(TrafficOptions traffic, CalledService target) => new()
    {
        Name = "fault-injection",
        Match =
        [
            new HttpMatchRequest
            {
                Uri = new StringMatch { Prefix = "/" },
                SourceLabels = new Dictionary<string, string> { ["app"] = TrafficCatalog.FaultCaller },
            },
        ],
        Route = [new HttpRouteDestination { Destination = new Destination { Host = target.Name, Port = new PortSelector { Number = target.Port } } }],
        Fault = new HttpFaultInjection
        {
            Delay = traffic.FaultDelayPercent is { } delayPercent
                ? new FaultDelay { FixedDelay = IstioDuration.Format(traffic.FaultDelay), Percentage = new Percent { Value = delayPercent } }
                : null,
            Abort = traffic.FaultAbortPercent is { } abortPercent
                ? new FaultAbort { HttpStatus = traffic.FaultAbortStatus, Percentage = new Percent { Value = abortPercent } }
                : null,
        },
    };

    private static HttpRoute Resilient(TrafficOptions traffic, HttpRoute route)
    {
        route.Timeout = traffic.Timeout is { } timeout ? IstioDuration.Format(timeout) : null;
        route.Retries = traffic.Retries is { } retries
            ? new HttpRetry
            {
                Attempts = retries.Attempts,
                PerTryTimeout = retries.PerTryTimeout is { } perTry ? IstioDuration.Format(perTry) : null,
                RetryOn = retries.RetryOn,
            }
            : null;
        return route;
    }

    private static TrafficPolicy CircuitBreaking => new()
    {
        ConnectionPool = new ConnectionPoolSettings
        {
            Tcp = new TcpSettings { MaxConnections = TrafficCatalog.MaxConnections },
            Http = new HttpSettings
            {
                Http1MaxPendingRequests = TrafficCatalog.Http1MaxPendingRequests,
                Http2MaxRequests = TrafficCatalog.Http2MaxRequests,
            },
        },
        OutlierDetection = new OutlierDetection
        {
            Consecutive5xxErrors = TrafficCatalog.Consecutive5xxErrors,
            Interval = TrafficCatalog.OutlierInterval,
            BaseEjectionTime = TrafficCatalog.BaseEjectionTime,
            MaxEjectionPercent = TrafficCatalog.MaxEjectionPercent,
        },
    };
}
