using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Rendering;

/// <summary>The learner's table of the workshop's steps (docs/workshop.md), built from the steps and their checks.</summary>
public static class WorkshopGuide
{
    /// <summary>One row per step: the workshop's commands, what the lab adds, and the checks that step runs on the default stack.</summary>
    public static string StepsTable() => string.Join("\n", WorkshopSteps.All.Select(step =>
    {
        var settings = LabSettings.Parse(new Dictionary<string, string?> { [ConfigKeys.WorkshopStep.FullName] = step.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var checks = WorkshopChecks.For(settings);
        var names = checks.Count == 0 ? "none" : string.Join(", ", checks.Select(c => $"`{c.Name}`"));
        return $"| {step.Number}. {step.Title} | `{step.WorkshopCommands}` | {step.Adds} | {names} |";
    }));
}
