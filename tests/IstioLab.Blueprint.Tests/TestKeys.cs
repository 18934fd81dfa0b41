using System.Security.Cryptography;

namespace IstioLab.Blueprint.Tests;

/// <summary>Two RSA keys for the identity tests, in the PEM forms the Pulumi TLS provider gives: the lab's signing key and a forger's.</summary>
internal static class TestKeys
{
    public static string Signing { get; } = NewPem();

    public static string Forger { get; } = NewPem();

    /// <summary>An RSA private key in PKCS#1 PEM (<c>BEGIN RSA PRIVATE KEY</c>), as <c>tls.PrivateKey</c>'s <c>privateKeyPem</c>.</summary>
    public static string NewPem()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportRSAPrivateKeyPem();
    }
}
