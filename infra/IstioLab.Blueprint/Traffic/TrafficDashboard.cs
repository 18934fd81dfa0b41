using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Traffic;

/// <summary>
/// With a canary, the mesh dashboard's panels that watch it: the store front's request rate and 5xx share per
/// version. Istio labels telemetry with the pod's canonical revision, read from <c>service.istio.io/canonical-revision</c>,
/// else <c>app.kubernetes.io/version</c>, else <c>version</c> (istio/istio pkg/kube/labels/labels.go, revisionLabels):
/// the store's pods carry <c>app.kubernetes.io/version</c> = their image tag, so <c>destination_version</c> is the
/// release each subset runs (v1: the pinned one, v2: istio-lab:canaryImageTag, which must differ).
/// </summary>
public static class TrafficDashboard
{
    public static IReadOnlyList<PanelSpec> Panels(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Traffic.HasCanary)
        {
            return [];
        }

        var front = $"""reporter="destination", destination_workload_namespace="{settings.AppNamespace}", destination_app="{TrafficCatalog.CanaryWorkload}" """.TrimEnd();
        return
        [
            new($"{TrafficCatalog.CanaryWorkload}: request rate by version", "Requests per second each store front version receives: v1 runs the pinned release, v2 istio-lab:canaryImageTag. Their ratio follows istio-lab:canaryWeight.", "timeseries", "reqps",
                [("{{destination_version}}", $"sum by (destination_version) (rate(istio_requests_total{{{front}}}[5m]))")]),
            new($"{TrafficCatalog.CanaryWorkload}: error rate by version", "Share of each store front version's requests answered with a 5xx status: the canary's health next to the stable release's.", "timeseries", "percentunit",
                [("{{destination_version}}", $$"""sum by (destination_version) (rate(istio_requests_total{{{front}}, response_code=~"5.."}[5m])) / sum by (destination_version) (rate(istio_requests_total{{{front}}}[5m]))""")]),
        ];
    }
}
