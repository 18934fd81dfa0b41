using IstioLab.Blueprint.Cleanup;
using IstioLab.Blueprint.Settings;
using IstioLab.Cleanup;
using Pulumi;

namespace IstioLab;

/// <summary>
/// What <c>pulumi up</c> runs: the stack's options (the tag transformation, applied to the whole graph) and the
/// program (settings read and validated once, then <see cref="Lab.Build"/>). The mock tests run this same pair.
/// </summary>
public sealed class LabProgram
{
    private IReadOnlyDictionary<string, string>? tags;

    /// <summary>The stack's options: one transformation that tags every taggable Azure resource.</summary>
    public StackOptions StackOptions => new()
    {
        ResourceTransformations =
        {
            AzureTagging.Transformation(() => tags ?? throw new InvalidOperationException("an Azure resource was registered before the stack's settings were read")),
        },
    };

    /// <summary>
    /// Reads the settings (a config error ends the run before any resource is registered), fixes the tags, and
    /// builds the graph; returns the stack outputs.
    /// </summary>
    public IDictionary<string, object?> Run()
    {
        var (settings, rabbitMqPassword) = Prepare();
        return Lab.Build(settings, rabbitMqPassword);
    }

    /// <summary>
    /// As <see cref="Run"/>, with the configured revisions first checked against what Azure offers in the location
    /// (<see cref="Lab.BuildAsync"/>): what <c>pulumi up</c> runs.
    /// </summary>
    public Task<IDictionary<string, object?>> RunAsync(IArmReader arm)
    {
        var (settings, rabbitMqPassword) = Prepare();
        return Lab.BuildAsync(settings, rabbitMqPassword, arm);
    }

    private (LabSettings Settings, Output<string>? RabbitMqPassword) Prepare()
    {
        var settings = StackSettings.Read();
        tags = LabTags.For(settings, Deployment.Instance.StackName);
        return (settings, new Config(ConfigKeys.ProjectNamespace).GetSecret(ConfigKeys.RabbitMqPassword.Name));
    }
}
