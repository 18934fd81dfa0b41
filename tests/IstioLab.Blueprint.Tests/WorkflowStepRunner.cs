using System.Diagnostics;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// Runs a workflow step's script as GitHub's runner does (<c>bash --noprofile --norc -eo pipefail</c>), with fake
/// <c>pulumi</c> and <c>gh</c> commands first on PATH. The fake pulumi answers <c>config get</c> and <c>stack output</c>
/// from a table of stacks and their expiry (a stack listed without a value has none) and logs every call; so does
/// the fake gh.
/// </summary>
internal sealed class WorkflowStepRunner : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("istio-lab-workflow-").FullName;

    public WorkflowStepRunner()
    {
        Fake("pulumi", """
            #!/usr/bin/env bash
            echo "pulumi $*" >> "$FAKE_DIR/calls.log"
            stack=""
            args=("$@")
            for ((i = 0; i < ${#args[@]}; i++)); do
              [ "${args[$i]}" = "--stack" ] && stack="${args[$((i + 1))]}"
            done
            if [ -z "$stack" ] && [ -f "$FAKE_DIR/selected" ]; then stack=$(cat "$FAKE_DIR/selected"); fi
            case "$1 $2" in
              "stack select")
                name="${@: -1}"
                case " $* " in
                  *" --create "*) ;;
                  *) grep -q "^${name}=" "$FAKE_DIR/stacks" || { echo "no stack named '$name' found" >&2; exit 255; } ;;
                esac
                echo "$name" > "$FAKE_DIR/selected"
                ;;
              "stack ls")
                cut -d= -f1 "$FAKE_DIR/stacks" | jq -R . | jq -sc 'map({name: .})'
                ;;
              "config get" | "stack output")
                line=$(grep "^${stack}=" "$FAKE_DIR/stacks") || exit 255
                value="${line#*=}"
                [ -n "$value" ] || { echo "configuration key '$3' not found for stack '$stack'" >&2; exit 255; }
                echo "$value"
                ;;
              *) exit 0 ;;
            esac
            """);
        Fake("gh", """
            #!/usr/bin/env bash
            echo "gh $*" >> "$FAKE_DIR/calls.log"
            exit 0
            """);
        File.WriteAllText(Path.Combine(dir, "stacks"), "");
    }

    public string Summary => Path.Combine(dir, "summary.md");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Runs <paramref name="script"/> with the stacks the backend holds (<c>name=expiresAt</c>) and the step's environment.</summary>
    public (int ExitCode, string Output, IReadOnlyDictionary<string, string> StepOutputs, IReadOnlyList<string> Calls) Run(
        string script, IEnumerable<string> stacks, IReadOnlyDictionary<string, string> environment)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("workflow steps run under bash, as on GitHub's Linux runners");
        }

        File.WriteAllLines(Path.Combine(dir, "stacks"), stacks);
        var scriptFile = Path.Combine(dir, "step.sh");
        File.WriteAllText(scriptFile, script);
        var outputs = Path.Combine(dir, "outputs");
        File.WriteAllText(outputs, "");
        File.WriteAllText(Summary, "");
        var calls = Path.Combine(dir, "calls.log");
        File.WriteAllText(calls, "");

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--noprofile", "--norc", "-eo", "pipefail", scriptFile })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FAKE_DIR"] = dir;
        start.Environment["PATH"] = dir + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["GITHUB_OUTPUT"] = outputs;
        start.Environment["GITHUB_STEP_SUMMARY"] = Summary;
        start.Environment["RUNNER_TEMP"] = dir;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        var stepOutputs = File.ReadAllLines(outputs)
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        return (process.ExitCode, output, stepOutputs, File.ReadAllLines(calls));
    }

    private void Fake(string name, string script)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, script.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
