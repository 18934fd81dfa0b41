using System.Security.Cryptography;
using System.Text;

namespace IstioLab.Blueprint;

/// <summary>
/// Name-based UUIDs (RFC 9562 version 5: SHA-1 of a namespace and a name). The same name always gives the same
/// GUID, so an Azure object that must be named by a GUID (a role assignment) keeps its name run to run.
/// </summary>
public static class DeterministicGuid
{
    /// <summary>The RFC's URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.</summary>
    public static Guid UrlNamespace { get; } = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    /// <summary>The RFC's DNS namespace, 6ba7b810-9dad-11d1-80b4-00c04fd430c8.</summary>
    public static Guid DnsNamespace { get; } = new("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

    public static Guid V5(Guid ns, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var input = ns.ToByteArray(bigEndian: true).Concat(Encoding.UTF8.GetBytes(name)).ToArray();
#pragma warning disable CA5350 // SHA-1 is what version 5 is defined with; this is naming, not security.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
