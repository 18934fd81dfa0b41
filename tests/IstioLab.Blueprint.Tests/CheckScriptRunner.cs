using System.Diagnostics;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Runs a check Job's real command with /bin/sh, as its container would, but with a fake <c>curl</c> first on
/// PATH that plays back planned outcomes: one line per call, <c>exit-code|stdout</c>, the last line repeating.
/// Calls to the proxy's quitquitquit endpoint are logged and answered without using up the plan.
/// </summary>
internal sealed class CheckScriptRunner : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("istio-lab-check-").FullName;

    public string Log => Path.Combine(dir, "curl.log");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    public (int ExitCode, string Output, IReadOnlyList<string> CurlCalls) Run(V1Job job, params string[] plan) =>
        RunWith(job, new Dictionary<string, string>(), plan);

    /// <summary>As <see cref="Run"/>, with <paramref name="environment"/> set over the container's own variables.</summary>
    public (int ExitCode, string Output, IReadOnlyList<string> CurlCalls) RunWith(V1Job job, IReadOnlyDictionary<string, string> environment, params string[] plan)
    {
        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        File.WriteAllLines(Path.Combine(dir, "plan"), plan);
        File.WriteAllText(Path.Combine(dir, "count"), "0");
        var fake = Path.Combine(dir, "curl");
        File.WriteAllText(fake, """
            #!/bin/sh
            echo "$*" >> "$FAKE_DIR/curl.log"
            case "$*" in *quitquitquit*) exit 0 ;; esac
            n=$(( $(cat "$FAKE_DIR/count") + 1 )); echo "$n" > "$FAKE_DIR/count"
            total=$(wc -l < "$FAKE_DIR/plan")
            [ "$n" -gt "$total" ] && n=$total
            line=$(sed -n "${n}p" "$FAKE_DIR/plan")
            printf '%b' "${line#*|}"
            exit "${line%%|*}"
            """.Replace("\r", "", StringComparison.Ordinal));
        var overrides = environment.ToDictionary(e => e.Key, e => e.Value.Replace("{dir}", dir, StringComparison.Ordinal));
        var (exitCode, output) = RunScript(container, fake, overrides);
        var calls = File.Exists(Log) ? File.ReadAllLines(Log) : [];
        return (exitCode, output, calls);
    }

    /// <summary>
    /// Runs <paramref name="container"/>'s command as its Linux container would, with its own variables, then
    /// <paramref name="overrides"/>, four attempts without pauses, and the folder of <paramref name="fake"/> (an
    /// executable script standing in for a command, which finds its folder as <c>FAKE_DIR</c>) first on PATH.
    /// </summary>
    public static (int ExitCode, string Output) RunScript(V1Container container, string fake, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(overrides);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the check scripts run under /bin/sh, as in their Linux containers");
        }

        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var fakeDir = Path.GetDirectoryName(fake)!;

        var start = new ProcessStartInfo(container.Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in container.Command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var env in container.Env)
        {
            start.Environment[env.Name] = env.Value;
        }

        start.Environment["ATTEMPTS"] = "4";
        start.Environment["INTERVAL_SECONDS"] = "0";
        start.Environment["FAKE_DIR"] = fakeDir;
        start.Environment["PATH"] = fakeDir + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in overrides)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
