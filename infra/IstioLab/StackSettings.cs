using IstioLab.Blueprint.Settings;
using Pulumi;

namespace IstioLab;

/// <summary>Reads the stack's config through the blueprint's validation.</summary>
public static class StackSettings
{
    /// <summary>
    /// Every non-secret key of <see cref="ConfigKeys.All"/>, read from its own namespace, plus every other key of the
    /// lab's namespace that the stack sets (so a misspelt key is refused as the render command refuses it), all
    /// validated at once. Invalid config throws <see cref="RunException"/>, which Pulumi reports as a clean error
    /// before any resource is registered.
    /// </summary>
    public static LabSettings Read()
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in StackConfigEnvironment.LabKeysFromEnvironment())
        {
            if (!ConfigKeys.All.Any(known => known.FullName == key))
            {
                values[key] = value;
            }
        }

        foreach (var key in ConfigKeys.All.Where(k => !k.Secret))
        {
            values[key.FullName] = new Config(key.Namespace).Get(key.Name);
        }

        try
        {
            return LabSettings.Parse(values);
        }
        catch (LabSettingsException e)
        {
            throw new RunException(e.Message, e);
        }
    }
}
