using System.Globalization;

namespace IstioLab.Blueprint.Settings;

/// <summary>One step of the workshop: what it adds, the commands the hand-run workshop types for it, and what its checks prove.</summary>
public sealed record WorkshopStep(int Number, string Title, string Adds, string WorkshopCommands);

/// <summary>
/// The workshop's five steps, in order. <c>istio-lab:workshopStep</c> builds the lab up to and including one of them;
/// unset builds the whole lab. Each step only adds to the one before it.
/// </summary>
public static class WorkshopSteps
{
    public const int Cluster = 1;
    public const int Store = 2;
    public const int MutualTls = 3;
    public const int Ingress = 4;
    public const int Observe = 5;

    public static IReadOnlyList<WorkshopStep> All { get; } =
    [
        new(Cluster, "Create the cluster with the Istio add-on",
            "the resource group and the AKS cluster with the Istio add-on (no ingress gateway yet); with observability on, its Azure side: the Azure Monitor workspace, its data collection, Managed Grafana and their identities",
            "az group create; az aks create --enable-azure-service-mesh (seed 001 also creates Azure Monitor and Grafana)"),
        new(Store, "Deploy the store into the mesh",
            "the shared MeshConfig, the store's namespace labelled with the add-on's revision before any workload, and the store; sidecars are injected at first start, and the mesh is still PERMISSIVE",
            "kubectl create namespace pets; kubectl label namespace pets istio.io/rev=<revision>; kubectl apply -f <store manifest>"),
        new(MutualTls, "Enforce STRICT mutual TLS",
            "a STRICT PeerAuthentication in the store's namespace: plaintext from outside the mesh is refused, calls between sidecars still work",
            "kubectl apply -f peer-authentication.yaml (mode: STRICT)"),
        new(Ingress, "Expose the store through the ingress gateway",
            "the add-on's external ingress gateway (enabled on the cluster, as az aks mesh enable-ingress-gateway does), the Gateway and the VirtualService",
            "az aks mesh enable-ingress-gateway --ingress-gateway-type external; kubectl apply -f gateway.yaml -f virtualservice.yaml"),
        new(Observe, "Observe the mesh",
            "with observability on, the in-cluster side: Istio's scrape config, the metrics proxy, the dashboard, Kiali, and their checks",
            "scrape config for managed Prometheus; Grafana dashboard; helm install kiali-server"),
    ];

    /// <summary>The last step, which builds what an unset step builds.</summary>
    public static int Last => All[^1].Number;

    /// <summary>
    /// The features beyond the workshop and the value each has when it is off. They need the whole workshop, so with
    /// an earlier step each one that is on is refused, naming its key.
    /// </summary>
    public static IReadOnlyList<(ConfigKey Key, string Off)> BeyondTheWorkshop { get; } =
    [
        (ConfigKeys.IstioCanaryRevision, ""),
        (ConfigKeys.Authorization, "open"),
        (ConfigKeys.Https, "off"),
        (ConfigKeys.Egress, "open"),
        (ConfigKeys.UserAuth, "off"),
        (ConfigKeys.CanaryWeight, ""),
        (ConfigKeys.FaultAbortPercent, ""),
        (ConfigKeys.FaultDelayPercent, ""),
        (ConfigKeys.Timeout, ""),
        (ConfigKeys.Retries, ""),
        (ConfigKeys.CircuitBreaker, "false"),
    ];
}

public sealed partial record LabSettings
{
    /// <summary>The workshop step the lab is built up to; null builds the whole lab (as step 5, with every feature allowed).</summary>
    public int? WorkshopStep { get; init; }

    /// <summary>Whether the lab is built up to <paramref name="step"/> or further.</summary>
    public bool Reaches(int step) => WorkshopStep is null || WorkshopStep >= step;

    private static int? ParseWorkshopStep(List<SettingError> errors, Func<ConfigKey, string> value, Func<ConfigKey, string?> optional)
    {
        var key = ConfigKeys.WorkshopStep;
        var text = optional(key);
        if (text is null)
        {
            return null;
        }

        var steps = string.Join(", ", WorkshopSteps.All.Select(s => s.Number.ToString(CultureInfo.InvariantCulture)));
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var step) || WorkshopSteps.All.All(s => s.Number != step))
        {
            Check(errors, key, text, false, $"one of {steps} (the workshop up to and including that step), or unset for the whole lab");
            return null;
        }

        if (step < WorkshopSteps.Last)
        {
            foreach (var (feature, off) in WorkshopSteps.BeyondTheWorkshop)
            {
                var set = value(feature);
                if (!string.Equals(set, off, StringComparison.Ordinal))
                {
                    errors.Add(new SettingError(feature.FullName, set,
                        $"goes beyond the workshop and needs {key.FullName} {WorkshopSteps.Last} or unset (it is {step}); " +
                        $"`pulumi config rm {feature.FullName}` to walk the steps first"));
                }
            }
        }

        return step;
    }
}
