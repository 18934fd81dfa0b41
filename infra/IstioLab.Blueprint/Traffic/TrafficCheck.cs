using System.Globalization;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Traffic;

/// <summary>One statistical property of the traffic check: the band of counts it accepts over N requests.</summary>
public sealed record TrafficMeasurement(string Property, string What, BinomialBand Band);

/// <summary>
/// The <c>traffic</c> check: measures through the ingress gateway what the traffic keys configured, from outside
/// the mesh, after the <c>gateway</c> check. Each property is measured over <see cref="Requests"/> requests sent
/// <see cref="Parallel"/> at a time; a statistical property passes when its count lies in the exact binomial band of
/// <see cref="BinomialBand"/>, whose tails together are at most <see cref="FalseFailureBudget"/> divided among the
/// statistical properties measured, so a correct mesh fails the whole check less than once in 10,000 runs.
/// </summary>
public static class TrafficCheck
{
    public static CheckDefinition Definition { get; } = new("traffic",
        "through the gateway, the configured canary share reaches v2 and the A/B header always does, injected aborts and delays " +
        "appear at their configured rates, a timeout below the delay answers 504 within it, and the product API answers under the resilience settings");

    /// <summary>N: the requests of each statistical measurement.</summary>
    public const int Requests = 200;

    /// <summary>The requests that carry the A/B header; every one must reach v2, so no tolerance is needed.</summary>
    public const int AbRequests = 50;

    /// <summary>Requests in flight at once: far below the circuit breaker's limits (<see cref="TrafficCatalog.MaxConnections"/>).</summary>
    public const int Parallel = 25;

    /// <summary>The most a correct mesh may fail this check: once in 10,000 runs.</summary>
    public const double FalseFailureBudget = 1e-4;

    /// <summary>Each request's bound: the longest injected delay and a margin.</summary>
    public const int RequestTimeoutSeconds = 25;

    /// <summary>What a 504 may take beyond the configured timeout: the public load balancer's round trip and scheduling.</summary>
    public static readonly TimeSpan TimeoutSlack = TimeSpan.FromSeconds(2);

    /// <summary>Route changes reach the gateway's proxies within seconds; a property is measured again a few times before it fails.</summary>
    public const int Attempts = 3;
    public const int IntervalSeconds = 10;

    /// <summary>
    /// The statistical measurements the settings call for, each with its band: the canary share of v2 (the weight), the
    /// share of the abort status (the abort percentage; with a timeout below the delay, only requests not delayed can be
    /// aborted), and the share of delayed requests (taking at least the delay) or, with a timeout below the delay, of 504s.
    /// </summary>
    public static IReadOnlyList<TrafficMeasurement> Measurements(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var traffic = settings.Traffic;
        List<(string Property, string What, double P)> wanted = [];
        if (traffic.CanaryWeight is { } weight)
        {
            wanted.Add(("canary", "requests without the A/B header that reach v2", weight / 100.0));
        }

        if (traffic.FaultAbortPercent is { } abort)
        {
            var notCut = traffic.TimeoutCutsDelay ? 1 - (traffic.FaultDelayPercent!.Value / 100) : 1;
            wanted.Add(("abort", $"product API requests answered {traffic.FaultAbortStatus}", abort / 100 * notCut));
        }

        if (traffic.FaultDelayPercent is { } delay)
        {
            wanted.Add(traffic.TimeoutCutsDelay
                ? ("timeout", $"product API requests answered {TrafficCatalog.TimeoutStatus} by the gateway's timeout", delay / 100)
                : ("delay", $"product API requests that took at least {IstioDuration.Format(traffic.FaultDelay)}", delay / 100));
        }

        var alpha = FalseFailureBudget / Math.Max(1, wanted.Count);
        return [.. wanted.Select(w => new TrafficMeasurement(w.Property, w.What, BinomialBand.For(Requests, Math.Clamp(w.P, 0, 1), alpha)))];
    }

    /// <summary>The properties measured, in order, and those skipped with the reason.</summary>
    public static IReadOnlyList<string> Properties(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var traffic = settings.Traffic;
        var measured = Measurements(settings).Select(m => m.Property).ToList();
        if (traffic.AbHeader is not null)
        {
            measured.Insert(traffic.HasCanary ? 1 : 0, "ab");
        }

        if (!traffic.HasFault && (traffic.HasResilienceRoutes || traffic.CircuitBreaker))
        {
            measured.Add("resilience");
        }

        return measured;
    }

    /// <summary>
    /// Runs each configured property up to <c>$ATTEMPTS</c> times until it passes, printing one PASS or FAIL line per
    /// property and a SKIP line for each one not configured. <c>measure</c> sends <c>count</c> requests in one curl,
    /// <c>$PARALLEL</c> at a time, and prints per response its status, seconds and version header (curl's write-out runs
    /// once per transfer; <c>--no-progress-meter</c> because parallel transfers draw a meter even with <c>-s</c>).
    /// </summary>
    public const string Script = """
        fails=0
        case "$TLS_VERIFY" in
          lab-ca) tls="--cacert $CA_FILE" ;;
          staging-issuer) tls="--insecure" ;;
          *) tls="" ;;
        esac
        measure() {
          count=$1; url=$2; header=$3
          set -- $tls
          if [ -n "$header" ]; then set -- "$@" -H "$header"; fi
          k=0
          while [ "$k" -lt "$count" ]; do set -- "$@" -o /dev/null "$url"; k=$((k + 1)); done
          curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" --max-time "$MAX_SECONDS" -w "%{http_code} %{time_total} %header{$VERSION_HEADER}\n" "$@"
        }
        tally() { awk -v status="$1" -v at_least="$2" '
          NF { n++ } $1 == "200" && $3 == "v1" { v1++ } $1 == "200" && $3 == "v2" { v2++ } $1 == "200" { ok++ } $1 == "000" { lost++ }
          $1 == status { hits++; if ($2 + 0 > hit_max) hit_max = $2 + 0 } $2 + 0 >= at_least { slow++ } $2 + 0 > max { max = $2 + 0 }
          END { printf "%d %d %d %d %d %d %d %.3f %.3f\n", n, v1, v2, ok, lost, hits, slow, hit_max, max }'; }
        probe_canary() {
          set -- $(measure "$REQUESTS" "$TARGET_URL" "" | tally - 999)
          msg="$3 of $1 requests reached v2 ($2 reached v1, $(($1 - $2 - $3)) neither answered 200 nor named a version); weight $CANARY_WEIGHT% over $REQUESTS requests accepts $CANARY_LOW-$CANARY_HIGH reaching v2"
          [ "$1" -eq "$REQUESTS" ] && [ $(($2 + $3)) -eq "$1" ] && [ "$3" -ge "$CANARY_LOW" ] && [ "$3" -le "$CANARY_HIGH" ] && ok=yes
        }
        probe_ab() {
          set -- $(measure "$AB_REQUESTS" "$TARGET_URL" "$AB_HEADER" | tally - 999)
          msg="$3 of $1 requests with '$AB_HEADER' reached v2 (all $AB_REQUESTS must)"
          [ "$1" -eq "$AB_REQUESTS" ] && [ "$3" -eq "$AB_REQUESTS" ] && ok=yes
        }
        probe_abort() {
          set -- $(measure "$REQUESTS" "$TARGET_URL$FAULT_PATH" "" | tally "$ABORT_STATUS" 999)
          msg="$6 of $1 product API requests answered $ABORT_STATUS ($5 got no answer); $REQUESTS requests accept $ABORT_LOW-$ABORT_HIGH"
          [ "$1" -eq "$REQUESTS" ] && [ "$5" -eq 0 ] && [ "$6" -ge "$ABORT_LOW" ] && [ "$6" -le "$ABORT_HIGH" ] && ok=yes
        }
        probe_delay() {
          set -- $(measure "$REQUESTS" "$TARGET_URL$FAULT_PATH" "" | tally - "$DELAY_SECONDS")
          msg="$7 of $1 product API requests took at least ${DELAY_SECONDS}s ($5 got no answer); $REQUESTS requests accept $DELAY_LOW-$DELAY_HIGH"
          [ "$1" -eq "$REQUESTS" ] && [ "$5" -eq 0 ] && [ "$7" -ge "$DELAY_LOW" ] && [ "$7" -le "$DELAY_HIGH" ] && ok=yes
        }
        probe_timeout() {
          set -- $(measure "$REQUESTS" "$TARGET_URL$FAULT_PATH" "" | tally 504 999)
          msg="$6 of $1 product API requests answered 504, the slowest 504 after $8s and the slowest answer after $9s (limit ${TIMEOUT_LIMIT}s: the timeout and ${SLACK_SECONDS}s); $REQUESTS requests accept $TIMEOUT_LOW-$TIMEOUT_HIGH 504s"
          [ "$1" -eq "$REQUESTS" ] && [ "$5" -eq 0 ] && [ "$6" -ge "$TIMEOUT_LOW" ] && [ "$6" -le "$TIMEOUT_HIGH" ] \
            && awk -v a="$9" -v b="$TIMEOUT_LIMIT" 'BEGIN { exit !(a <= b) }' && ok=yes
        }
        probe_resilience() {
          set -- $(measure "$REQUESTS" "$TARGET_URL$FAULT_PATH" "" | tally - 999)
          msg="$4 of $1 product API requests answered 200, $PARALLEL at a time, with the timeout, retries and circuit breaker in place (all $REQUESTS must)"
          [ "$1" -eq "$REQUESTS" ] && [ "$4" -eq "$REQUESTS" ] && ok=yes
        }
        for property in canary ab abort delay timeout resilience; do
          case " $PROPERTIES " in
            *" $property "*) ;;
            *) echo "SKIP $property: not configured"; continue ;;
          esac
          i=1
          while :; do
            ok=no; msg=""
            "probe_$property"
            if [ "$ok" = yes ]; then echo "PASS $property: $msg"; break; fi
            if [ "$i" -ge "$ATTEMPTS" ]; then echo "FAIL $property: after $ATTEMPTS attempts, $msg"; fails=$((fails + 1)); break; fi
            i=$((i + 1)); sleep "$INTERVAL_SECONDS"
          done
        done
        if [ "$fails" -gt 0 ]; then echo "FAIL traffic: $fails properties failed; see the lines above (pulumi config get istio-lab:canaryWeight, kubectl get virtualservice,destinationrule -n $APP_NAMESPACE)"; exit 1; fi
        exit 0
        """;

    /// <summary>The URL the check requests: the store's HTTPS name with HTTPS on, else the gateway's IP.</summary>
    public static string TargetUrl(LabSettings settings, string ingressIp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Https.Enabled ? settings.Https.StoreUrl : $"http://{ingressIp}/";
    }

    /// <summary>
    /// The bound of the whole Job: every property at most <see cref="Attempts"/> times, each of
    /// ceil(N / <see cref="Parallel"/>) waves of requests that may each take <see cref="RequestTimeoutSeconds"/>.
    /// </summary>
    public static long ActiveDeadlineSeconds(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var perRun = (((Requests + Parallel - 1) / Parallel) * RequestTimeoutSeconds) + IntervalSeconds;
        return 60 + (Properties(settings).Count * Attempts * perRun);
    }

    /// <summary>The check's Job in the namespace outside the mesh, started once <paramref name="gateway"/> has passed; none when no traffic key is set.</summary>
    public static IReadOnlyList<V1Job> Jobs(LabSettings settings, string ingressIp, V1Job gateway)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gateway);
        return settings.Traffic.Enabled ? [Job(settings, ingressIp, gateway)] : [];
    }

    public static V1Job Job(LabSettings settings, string ingressIp, V1Job gateway)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(ingressIp);
        ArgumentNullException.ThrowIfNull(gateway);
        var traffic = settings.Traffic;
        static string Text(double n) => n.ToString(CultureInfo.InvariantCulture);
        var measurements = Measurements(settings);
        List<V1EnvVar> env =
        [
            new() { Name = "PROPERTIES", Value = string.Join(" ", Properties(settings)) },
            new() { Name = "REQUESTS", Value = Text(Requests) },
            new() { Name = "AB_REQUESTS", Value = Text(AbRequests) },
            new() { Name = "PARALLEL", Value = Text(Parallel) },
            new() { Name = "MAX_SECONDS", Value = Text(RequestTimeoutSeconds) },
            new() { Name = "VERSION_HEADER", Value = TrafficCatalog.VersionHeader },
            new() { Name = "FAULT_PATH", Value = TrafficCatalog.FaultPath },
            new() { Name = "APP_NAMESPACE", Value = settings.AppNamespace },
            new() { Name = "CANARY_WEIGHT", Value = traffic.CanaryWeight is { } w ? Text(w) : "" },
            new() { Name = "AB_HEADER", Value = traffic.AbHeader is { } ab ? $"{ab.Name}: {ab.Value}" : "" },
            new() { Name = "ABORT_STATUS", Value = Text(traffic.FaultAbortStatus) },
            new() { Name = "DELAY_SECONDS", Value = IstioDuration.Seconds(traffic.FaultDelay) },
            new() { Name = "TIMEOUT_LIMIT", Value = traffic.Timeout is { } t ? IstioDuration.Seconds(t + TimeoutSlack) : "" },
            new() { Name = "SLACK_SECONDS", Value = Text(TimeoutSlack.TotalSeconds) },
            .. measurements.SelectMany(m => new V1EnvVar[]
            {
                new() { Name = $"{m.Property.ToUpperInvariant()}_LOW", Value = Text(m.Band.Low) },
                new() { Name = $"{m.Property.ToUpperInvariant()}_HIGH", Value = Text(m.Band.High) },
            }),
            .. TlsEnv(settings),
        ];
        var deadline = ActiveDeadlineSeconds(settings);
        return WorkshopChecks.Job(Definition, settings.OutsideNamespace, Script, TargetUrl(settings, ingressIp), inMesh: false,
            verified: [MeshManifest.StoreGateway(settings), MeshManifest.StoreRoute(settings), .. TrafficManifest.Build(settings), .. StoreManifest.Build(settings)],
            facts: [ingressIp],
            extraEnv: env,
            customize: job =>
            {
                job.Spec.ActiveDeadlineSeconds = deadline;
                job.Metadata.Annotations = new Dictionary<string, string>
                {
                    [WorkshopChecks.DependsOnAnnotation] = WorkshopChecks.DependsOn(gateway),
                    [ObservabilityChecks.ProviderTimeoutAnnotation] = Text(deadline + 60),
                };
                foreach (var variable in job.Spec.Template.Spec.Containers[0].Env)
                {
                    variable.Value = variable.Name switch
                    {
                        "ATTEMPTS" => Text(Attempts),
                        "INTERVAL_SECONDS" => Text(IntervalSeconds),
                        _ => variable.Value,
                    };
                }

                if (settings.Https.Enabled && WorkshopChecks.VerificationFor(settings.Https) == TlsVerification.LabCa)
                {
                    WorkshopChecks.MountCa(job.Spec.Template.Spec);
                }
            });
    }

    private static IEnumerable<V1EnvVar> TlsEnv(LabSettings settings)
    {
        if (!settings.Https.Enabled)
        {
            return [];
        }

        var verification = WorkshopChecks.VerificationFor(settings.Https);
        return
        [
            new V1EnvVar
            {
                Name = "TLS_VERIFY",
                Value = verification switch
                {
                    TlsVerification.LabCa => "lab-ca",
                    TlsVerification.SystemTrust => "system-trust",
                    _ => "staging-issuer",
                },
            },
            new V1EnvVar { Name = "CA_FILE", Value = verification == TlsVerification.LabCa ? $"{WorkshopChecks.CaDirectory}/{WorkshopChecks.CaFileName}" : "" },
        ];
    }
}
