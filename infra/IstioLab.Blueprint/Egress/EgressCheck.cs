using System.Globalization;
using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Egress;

/// <summary>
/// The <c>egress</c> check, with <c>istio-lab:egress=allow-list</c> only: from inside the mesh, in the store's namespace
/// (so under its Sidecar) and as its own service account, after the <c>inside</c> check. It calls no workload of the
/// store, so the authorization allow-list grants it nothing and it needs nothing. It proves, one line each:
/// <list type="number">
/// <item>plain HTTP to an unlisted host gets the sidecar's own <c>502</c>;</item>
/// <item>HTTPS to that host is cut during the TLS handshake (curl exit 35 or 56);</item>
/// <item>then, when an exact host is listed, the first one is reachable: any HTTP answer, or a completed TLS handshake.</item>
/// </list>
/// What the sidecar answers: with REGISTRY_ONLY, an HTTP call to an unknown host matches the catch-all virtual host
/// <c>block_all</c>, a direct response <c>502</c>; any other call is handed to <c>BlackHoleCluster</c>, a cluster without
/// endpoints, so the connection is accepted and closed (istio.io blog "Monitoring blocked and passthrough external service
/// traffic", 2019). The 502 needs an HTTP listener on port 80 in the sidecar, which store-front's HTTP Service port 80
/// gives every sidecar of the namespace; were it missing, the call would be cut instead, and the check says so.
/// UNCONFIRMED on the add-on: the 502, and which of curl's exits 35 and 56 a cut handshake gives; any other answer
/// fails the check with what it saw. The <c>inside</c> check's name carries the lockdown's objects, so turning it on
/// proves again that in-mesh calls still work under it.
/// </summary>
public static class EgressCheck
{
    public static CheckDefinition Definition { get; } = new("egress",
        $"the store's sidecars block a host that is not listed ({UnlistedHost}: HTTP 502 from the sidecar over plain HTTP, a TLS handshake cut over HTTPS) and let the first listed host through");

    /// <summary>
    /// The unlisted host: <c>example.com</c>, reserved for examples (RFC 2606, section 3) and served by IANA over HTTP
    /// and HTTPS since the 1990s: stable, well known, and nothing the store needs. Settings refuse an allow-list that covers it.
    /// </summary>
    public const string UnlistedHost = "example.com";

    /// <summary>The ports the check calls the unlisted host on: plain HTTP and HTTPS.</summary>
    public static IReadOnlyList<int> UnlistedPorts { get; } = [80, 443];

    /// <summary>Fewer than the other checks': an attempt makes up to three calls.</summary>
    public const int Attempts = 12;

    /// <summary>The most calls one attempt makes.</summary>
    public const int CallsPerAttempt = 3;

    /// <summary>curl's exit codes for a TLS handshake cut by the peer: 35 (SSL connect error) and 56 (failure receiving network data).</summary>
    public static IReadOnlyList<int> HandshakeCutExitCodes { get; } = [35, 56];

    /// <summary>The status Envoy's <c>block_all</c> route answers a plain HTTP call to an unknown host with.</summary>
    public const int BlockedHttpStatus = 502;

    public static string UnlistedHttpUrl => $"http://{UnlistedHost}/";

    public static string UnlistedTlsUrl => $"https://{UnlistedHost}/";

    /// <summary>The listed host the check reaches: the first that names one host (a wildcard names none); null when there is none.</summary>
    public static EgressHost? ReachedHost(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.EgressHosts.FirstOrDefault(h => !h.IsWildcard);
    }

    /// <summary>
    /// The three properties, each retried until it holds (the Sidecar and the entries may still be reaching the proxy)
    /// and then left alone. The listed host is tried only once the unlisted one is blocked both ways: before the Sidecar
    /// reaches the proxy every host is reachable, which would prove nothing. The TLS call to the listed host skips
    /// certificate checks: it proves the path, and the application verifies its own peer. Then the proxy is stopped,
    /// as in the inside check, and each property prints its line.
    /// </summary>
    public const string Script = """
        i=1; code=""; http_rc=""; tls_rc=""; listed=""; listed_rc=""; status=""; handshake=""
        blocked_http=no; blocked_tls=no; reached=no
        while [ "$i" -le "$ATTEMPTS" ]; do
          if [ "$blocked_http" = no ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$TIMEOUT_SECONDS" "$TARGET_URL"); http_rc=$?
            if [ "$http_rc" -eq 0 ] && [ "$code" = "$BLOCKED_STATUS" ]; then blocked_http=yes; fi
          fi
          if [ "$blocked_tls" = no ]; then
            curl -s -o /dev/null --max-time "$TIMEOUT_SECONDS" "$TARGET_TLS_URL"; tls_rc=$?
            case " $CUT_EXIT_CODES " in *" $tls_rc "*) blocked_tls=yes ;; esac
          fi
          if [ -n "$LISTED_URL" ] && [ "$reached" = no ] && [ "$blocked_http" = yes ] && [ "$blocked_tls" = yes ]; then
            listed=$(curl -s -o /dev/null -k -w '%{http_code} %{time_appconnect}' --max-time "$TIMEOUT_SECONDS" "$LISTED_URL"); listed_rc=$?
            status=${listed%% *}; handshake=${listed#* }
            if [ "$listed_rc" -eq 0 ] && [ -n "$status" ] && [ "$status" != "000" ]; then reached=yes; fi
            case "$LISTED_URL" in
              http://*) if [ "$status" = "$BLOCKED_STATUS" ]; then reached=no; fi ;;
              *) case "$handshake" in *[1-9]*) reached=yes ;; esac ;;
            esac
          fi
          if [ "$blocked_http" = yes ] && [ "$blocked_tls" = yes ] && { [ -z "$LISTED_URL" ] || [ "$reached" = yes ]; }; then break; fi
          i=$((i + 1)); sleep "$INTERVAL_SECONDS"
        done
        curl -s -o /dev/null -X POST http://localhost:15020/quitquitquit
        failed=0
        if [ "$blocked_http" = yes ]; then
          echo "PASS egress: $TARGET_URL (not listed) answered HTTP $BLOCKED_STATUS from the sidecar (BlackHoleCluster): plain HTTP to an unlisted host is blocked"
        else
          failed=1
          case "$http_rc" in
            0) why="the call left the mesh: is the Sidecar '$SIDECAR' in $APP_NAMESPACE on REGISTRY_ONLY and this pod's sidecar injected?" ;;
            6) why="DNS could not resolve the host, so nothing was proven: can the cluster resolve public names?" ;;
            28) why="it timed out: the sidecar answers at once, so something else (a firewall?) dropped it" ;;
            52|56) why="the connection was cut, not answered: does the sidecar lack an HTTP listener on port 80?" ;;
            *) why="no answer from the sidecar" ;;
          esac
          echo "FAIL egress: after $ATTEMPTS attempts, $TARGET_URL (not listed) gave curl exit $http_rc, HTTP '$code', not the sidecar's $BLOCKED_STATUS; $why"
        fi
        if [ "$blocked_tls" = yes ]; then
          echo "PASS egress: $TARGET_TLS_URL (not listed) was cut during the TLS handshake (curl exit $tls_rc): HTTPS to an unlisted host is blocked"
        else
          failed=1
          case "$tls_rc" in
            0|60) why="a server completed the TLS handshake: the call left the mesh; is the Sidecar '$SIDECAR' in $APP_NAMESPACE on REGISTRY_ONLY?" ;;
            6) why="DNS could not resolve the host, so nothing was proven: can the cluster resolve public names?" ;;
            28) why="it timed out: the sidecar cuts at once, so something else (a firewall?) dropped it" ;;
            *) why="not how the sidecar's BlackHoleCluster cuts a handshake (curl exit one of: $CUT_EXIT_CODES)" ;;
          esac
          echo "FAIL egress: after $ATTEMPTS attempts, $TARGET_TLS_URL (not listed) gave curl exit $tls_rc; $why"
        fi
        if [ -n "$LISTED_URL" ]; then
          if [ "$reached" = yes ]; then
            echo "PASS egress: $LISTED_URL (listed) is reachable through the sidecar (curl exit $listed_rc, HTTP '$status', TLS handshake ${handshake}s)"
          elif [ "$blocked_http" = yes ] && [ "$blocked_tls" = yes ]; then
            failed=1
            echo "FAIL egress: after $ATTEMPTS attempts, $LISTED_URL (listed) gave curl exit $listed_rc, HTTP '$status' and no TLS handshake; is its ServiceEntry in $APP_NAMESPACE, and does the host answer on that port from the cluster?"
          else
            failed=1
            echo "FAIL egress: $LISTED_URL (listed) was not tried: an unlisted host is not blocked, so reaching a listed one would prove nothing"
          fi
        fi
        exit "$failed"
        """;

    /// <summary>The check's Job, after <paramref name="inside"/> has completed.</summary>
    public static V1Job Job(LabSettings settings, string revision, V1Job inside)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(inside);
        static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
        return WorkshopChecks.Job(Definition, settings.AppNamespace, Script, UnlistedHttpUrl, inMesh: true,
            verified: [.. EgressManifest.Build(settings)], facts: [revision],
            extraEnv:
            [
                new V1EnvVar { Name = "TARGET_TLS_URL", Value = UnlistedTlsUrl },
                new V1EnvVar { Name = "LISTED_URL", Value = ReachedHost(settings)?.Url ?? "" },
                new V1EnvVar { Name = "BLOCKED_STATUS", Value = Text(BlockedHttpStatus) },
                new V1EnvVar { Name = "CUT_EXIT_CODES", Value = string.Join(" ", HandshakeCutExitCodes.Select(c => Text(c))) },
                new V1EnvVar { Name = "APP_NAMESPACE", Value = settings.AppNamespace },
                new V1EnvVar { Name = "SIDECAR", Value = EgressManifest.SidecarName },
            ],
            serviceAccount: WorkshopChecks.ServiceAccountName(Definition),
            customize: job =>
            {
                job.Metadata.Annotations = new Dictionary<string, string> { [WorkshopChecks.DependsOnAnnotation] = WorkshopChecks.DependsOn(inside) };
                job.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "ATTEMPTS").Value = Text(Attempts);
            });
    }
}
