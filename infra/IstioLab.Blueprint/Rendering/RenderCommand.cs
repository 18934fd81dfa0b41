using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Rendering;

/// <summary>
/// <c>render --stack NAME [--set key=value ...]</c>: reads the stack's config from the project root, validates it
/// as <c>pulumi up</c> would, and prints every object the stack would create, with visible placeholders for
/// what is known only at deploy time. Errors go to stderr with exit code 2.
/// </summary>
public static class RenderCommand
{
    public const int Ok = 0;
    public const int UsageOrConfigError = 2;

    public const string Usage = """
        usage: IstioLab.Blueprint render --stack NAME [--set key=value ...]

        Prints, as multi-document YAML, every Kubernetes and Istio object the stack NAME would create.
        Reads Pulumi.yaml and Pulumi.NAME.yaml from the project root (the nearest folder above the current one
        that holds Pulumi.yaml). --set overrides any config key, e.g. --set istio-lab:storeVariant=quickstart.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Count == 0 ? UsageOrConfigError : Ok;
        }

        if (args[0] != "render")
        {
            stderr.WriteLine($"error: unknown command '{args[0]}'; the only command is 'render'.");
            stderr.WriteLine(Usage);
            return UsageOrConfigError;
        }

        string? stack = null;
        var overrides = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var needsValue = args[i] is "--stack" or "--set";
            if (needsValue && i + 1 >= args.Count)
            {
                stderr.WriteLine($"error: {args[i]} needs a value.");
                return UsageOrConfigError;
            }

            switch (args[i])
            {
                case "--stack":
                    stack = args[++i];
                    break;
                case "--set":
                    overrides.Add(args[++i]);
                    break;
                default:
                    stderr.WriteLine($"error: unknown option '{args[i]}'.");
                    stderr.WriteLine(Usage);
                    return UsageOrConfigError;
            }
        }

        if (string.IsNullOrWhiteSpace(stack))
        {
            stderr.WriteLine("error: --stack NAME is required (e.g. --stack dev).");
            return UsageOrConfigError;
        }

        try
        {
            var root = FindProjectRoot(workingDirectory);
            var config = StackConfig.Load(root, stack);
            StackConfig.ApplyOverrides(config, overrides);
            var settings = LabSettings.Parse(config);

            var revision = settings.DataPlaneRevision;
            if (revision is null)
            {
                stderr.WriteLine($"warning: {ConfigKeys.IstioRevision.FullName} is not set: the add-on installs its default revision and the " +
                    $"namespace label {Kube.RevisionLabel} follows the cluster's revision at deploy time; rendering the placeholder '{LabManifest.RevisionPlaceholder}'.");
            }

            stdout.Write(LabManifest.ToYaml(LabManifest.Build(settings, revision ?? LabManifest.RevisionPlaceholder, LabManifest.PasswordPlaceholder, LabManifest.IngressIpPlaceholder)));
            return Ok;
        }
        catch (LabSettingsException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return UsageOrConfigError;
        }
        catch (StackConfigException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return UsageOrConfigError;
        }
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds <c>Pulumi.yaml</c>.</summary>
    public static string FindProjectRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pulumi.yaml")))
            {
                return dir.FullName;
            }
        }

        throw new StackConfigException($"no Pulumi.yaml in {start} or any folder above it: run from inside the project");
    }
}
