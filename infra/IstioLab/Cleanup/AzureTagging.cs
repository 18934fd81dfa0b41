using System.Reflection;
using Pulumi;

namespace IstioLab.Cleanup;

/// <summary>
/// The one place the lab's tags reach Azure: a stack transformation, which Pulumi runs for every resource the
/// stack or any of its components registers, before the resource is sent to the engine. It adds the tags to the
/// args of every azure-native resource whose args type has a <c>Tags</c> map, merged with tags the resource sets
/// itself (the lab's win on a clash). It changes neither a resource's name, type nor parent, so no identity
/// changes, and it leaves resources that are only read (<c>Get</c>, which has no args) alone.
/// </summary>
public static class AzureTagging
{
    /// <summary>The token prefix of the Azure Native provider's resources.</summary>
    public const string AzureNativePrefix = "azure-native:";

    /// <summary>The property every taggable azure-native args type has (<c>InputMap&lt;string&gt; Tags</c>).</summary>
    public const string TagsProperty = "Tags";

    /// <summary>A transformation that stamps the tags <paramref name="tags"/> returns when the first Azure resource is made.</summary>
    /// <param name="tags">The tags; read only once resources are being registered, so after the settings are validated.</param>
    public static ResourceTransformation Transformation(Func<IReadOnlyDictionary<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return args => Stamp(args, tags);
    }

    /// <summary>Whether args of this type take tags: a public, writable <c>InputMap&lt;string&gt; Tags</c>.</summary>
    public static PropertyInfo? TagsOf(Type argsType)
    {
        ArgumentNullException.ThrowIfNull(argsType);
        var property = argsType.GetProperty(TagsProperty, BindingFlags.Public | BindingFlags.Instance);
        return property is { CanWrite: true, CanRead: true } && property.PropertyType == typeof(InputMap<string>) ? property : null;
    }

    private static ResourceTransformationResult? Stamp(ResourceTransformationArgs args, Func<IReadOnlyDictionary<string, string>> tags)
    {
        // A read (Get) has no args of its type (the SDK passes none, and sets the options' Id; a create's Id is
        // "" there, so the Id cannot tell the two apart), so it has no Tags property and is left alone.
        if (!args.Resource.GetResourceType().StartsWith(AzureNativePrefix, StringComparison.Ordinal)
            || TagsOf(args.Args.GetType()) is not { } property)
        {
            return null;
        }

        var stamped = new InputMap<string>();
        foreach (var (name, value) in tags())
        {
            stamped[name] = value;
        }

        var existing = (InputMap<string>?)property.GetValue(args.Args);
        property.SetValue(args.Args, existing is null ? stamped : InputMap<string>.Merge(existing, stamped));
        return new ResourceTransformationResult(args.Args, args.Options);
    }
}
