using System.Text.Json;
using System.Text.Json.Serialization;

namespace IstioLab.Blueprint.Rendering;

/// <summary>
/// Turns a typed object into plain data (string-keyed dictionaries, lists, strings, numbers, booleans) with the
/// same field names as its YAML. The Pulumi program hands such trees to CustomResource specs, so the spec a
/// resource sends is exactly the spec the blueprint renders and tests.
/// </summary>
public static class PlainTree
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IReadOnlyDictionary<string, object> Of(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var document = JsonSerializer.SerializeToDocument(value, value.GetType(), Options);
        return Convert(document.RootElement) as IReadOnlyDictionary<string, object>
            ?? throw new ArgumentException($"{value.GetType().Name} does not serialize to an object", nameof(value));
    }

    /// <summary>A JSON element as plain data.</summary>
    public static object OfJson(JsonElement element) => Convert(element);

    private static object Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Number => element.TryGetInt32(out var i) ? (object)i : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new NotSupportedException($"JSON {element.ValueKind} has no place in a spec"),
    };
}
