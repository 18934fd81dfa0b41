using System.Globalization;
using System.Text;
using IstioLab.Blueprint.Settings;
using k8s.Models;

namespace IstioLab.Blueprint.Store;

/// <summary>
/// One wait: <paramref name="Caller"/>'s pod holds its application until <paramref name="Callee"/>'s Service accepts a
/// connection on <paramref name="ServicePort"/>, because of <paramref name="Because"/>.
/// </summary>
public sealed record StartupWait(string Caller, string Callee, int ServicePort, string Because)
{
    /// <summary>The init container's name: upstream's own wait is called <c>wait-for-rabbitmq</c>.</summary>
    public string ContainerName => $"wait-for-{Callee}";
}

/// <summary>
/// The rule that keeps the store from restarting on a fresh deploy: a workload waits, in an init container, for every
/// callee it declares as needed at start (<see cref="StoreCall.NeededAtStartBecause"/>). Nothing here names a workload;
/// who waits for whom follows from the catalog's calls.
/// <para>
/// How it probes: a TCP connection to the callee's Service, from the sidecar's UID 1337. That is the one probe that
/// proves the same thing with the add-on's classic and native sidecars under STRICT mTLS:
/// </para>
/// <list type="bullet">
/// <item>A Service forwards only to Ready endpoints, and a meshed callee is Ready only when its own readiness probe
/// passes; with no ready endpoint the connection is refused or times out. So "the Service accepts a connection" is
/// "the callee is ready". Whether the callee's sidecar would complete a TLS handshake is not asked: its sidecar accepts
/// any TCP connection, and a plaintext HTTP request from outside the mesh would only be reset under STRICT mTLS.</item>
/// <item>Classic sidecar: init containers run before the proxy exists, while the pod's traffic is already redirected to
/// it (pitfall 11), so only UID 1337, whose traffic is not redirected, reaches the network at all.</item>
/// <item>Native sidecar (AKS 1.33 with asm-1-29 and later): the proxy is the first init container and runs before this
/// one (istio/istio <c>pkg/kube/inject/inject.go</c>, <c>reorderPod</c>: "init containers are part of the mesh"). A
/// connection through it would be accepted by the proxy itself, at once, whether or not the callee has a ready
/// endpoint, so the wait would prove nothing; from UID 1337 it bypasses the proxy and asks the Service, as above.</item>
/// </list>
/// The wait has no mTLS identity and needs none; the allow-list grants it nothing (see <c>docs/store.md</c>).
/// </summary>
public static class StartupWaits
{
    /// <summary>
    /// Azure Linux's busybox (1.36.1) on MCR, which has no anonymous pull limit, in place of upstream's Docker Hub
    /// <c>busybox:1.37.0</c>. Source: the tag is used by Microsoft's own manifests (Azure/local-csi-driver
    /// <c>docs/user-guide.md</c>, Azure/karpenter-provider-azure tests); its build (microsoft/azurelinux
    /// <c>SPECS/busybox/busybox.spec</c>, <c>busybox-static.config</c>) enables <c>CONFIG_NC</c>, <c>CONFIG_NC_EXTRA</c> and
    /// <c>CONFIG_NC_110_COMPAT</c>, the netcat with <c>-z</c> and <c>-w</c> that the wait uses (UNCONFIRMED on the published
    /// image itself: read from its package's build configuration). Pinned to the 1.36 line; a digest is UNCONFIRMED. A
    /// wrong tag fails loudly (the pod stays in ErrImagePull and the update fails on the workload's readiness), and so
    /// does an nc without <c>-z</c>: the wait exits 1 with a FAIL line (see <see cref="Script"/>), as Debian's
    /// busybox-static, built with the small nc, does when tried.
    /// </summary>
    public const string Image = "mcr.microsoft.com/azurelinux/busybox:1.36";

    /// <summary>How long one connection attempt may take, and the pause between attempts.</summary>
    public const int ConnectTimeoutSeconds = 2;

    public const int IntervalSeconds = 2;

    /// <summary>
    /// Tries a zero-I/O connection to <c>$CALLEE:$PORT</c> until one succeeds. A refusal or a timeout (no ready
    /// endpoint yet) is retried; an <c>nc</c> that is missing (exit 126/127) or does not know its options (a usage
    /// message) ends the wait with a FAIL line and exit 1, so an unfit image cannot pass for a callee that is not ready.
    /// </summary>
    public const string Script = """
        echo "$WAIT_NAME: $CALLER starts once $CALLEE:$PORT accepts a connection, because $BECAUSE"
        while :; do
          out=$(nc -z -w "$CONNECT_TIMEOUT_SECONDS" "$CALLEE" "$PORT" 2>&1); rc=$?
          if [ "$rc" -eq 0 ]; then echo "$WAIT_NAME: $CALLEE:$PORT accepted a connection: $CALLEE is ready"; exit 0; fi
          case "$rc:$out" in
            126:*|127:*|*[Uu]sage:*|*"invalid option"*|*"unrecognized option"*)
              echo "FAIL $WAIT_NAME: this image's nc cannot probe $CALLEE:$PORT (exit $rc: $(printf '%s' "$out" | tr '\n' ' '))"; exit 1 ;;
          esac
          echo "$WAIT_NAME: $CALLEE:$PORT not ready yet (nc exit $rc)"
          sleep "$INTERVAL_SECONDS"
        done
        """;

    /// <summary>
    /// The waits of <paramref name="caller"/>, in the order of its calls, given the workloads its variant deploys.
    /// A callee needed at start that the variant does not deploy is a contradiction in the catalog, and throws.
    /// </summary>
    public static IReadOnlyList<StartupWait> For(Workload caller, IReadOnlyList<Workload> deployed)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(deployed);
        return [.. caller.Calls.Where(c => c.NeededAtStartBecause is not null).Select(call =>
        {
            var callee = deployed.SingleOrDefault(w => w.Name == call.Callee)
                ?? throw new InvalidOperationException($"{caller.Name} needs {call.Callee} ready at start, but this variant does not deploy {call.Callee}");
            var port = callee.Ports.SingleOrDefault(p => p.ContainerPort == call.Port)
                ?? throw new InvalidOperationException($"{caller.Name} calls {call.Callee} on port {call.Port}, which {call.Callee} does not expose");
            return new StartupWait(caller.Name, callee.Name, port.ServicePort, call.NeededAtStartBecause!);
        })];
    }

    /// <summary>Every wait of every workload of a variant.</summary>
    public static IReadOnlyList<StartupWait> All(IReadOnlyList<Workload> deployed)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        return [.. deployed.SelectMany(w => For(w, deployed))];
    }

    /// <summary>
    /// The waits of both variants as a Markdown table (docs/store.md holds it; a test keeps the two equal): who waits,
    /// for which Service and port, in which variant, and why.
    /// </summary>
    public static string MarkdownTable()
    {
        var allInOne = StoreCatalog.Workloads(StoreVariant.AllInOne);
        var inQuickstart = All(StoreCatalog.Workloads(StoreVariant.Quickstart)).ToHashSet();
        var table = new StringBuilder();
        table.Append("| workload | waits for | Service port | in quickstart | because |\n");
        table.Append("| --- | --- | --- | --- | --- |\n");
        foreach (var wait in All(allInOne))
        {
            table.Append(CultureInfo.InvariantCulture,
                $"| {wait.Caller} | {wait.Callee} | {wait.ServicePort} | {(inQuickstart.Contains(wait) ? "yes" : "no")} | {wait.Because} |\n");
        }

        return table.ToString();
    }

    /// <summary>
    /// The init container of one wait: the busybox image, as the sidecar's UID (not root, no privilege, no capability,
    /// a read-only root), with upstream's wait's resources (1m/50Mi, limit 100m/256Mi).
    /// </summary>
    public static V1Container Container(StartupWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
        return new V1Container
        {
            Name = wait.ContainerName,
            Image = Image,
            Command = ["sh", "-c", Script],
            Env =
            [
                new V1EnvVar { Name = "WAIT_NAME", Value = wait.ContainerName },
                new V1EnvVar { Name = "CALLER", Value = wait.Caller },
                new V1EnvVar { Name = "CALLEE", Value = wait.Callee },
                new V1EnvVar { Name = "PORT", Value = Text(wait.ServicePort) },
                new V1EnvVar { Name = "BECAUSE", Value = wait.Because },
                new V1EnvVar { Name = "CONNECT_TIMEOUT_SECONDS", Value = Text(ConnectTimeoutSeconds) },
                new V1EnvVar { Name = "INTERVAL_SECONDS", Value = Text(IntervalSeconds) },
            ],
            Resources = StoreCatalog.Resources(new Compute("1m", "50Mi"), new Compute("100m", "256Mi")),
            SecurityContext = Kube.Restricted(StoreCatalog.IstioProxyUid),
        };
    }
}
