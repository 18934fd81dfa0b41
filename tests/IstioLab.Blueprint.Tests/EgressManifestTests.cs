using System.Text.RegularExpressions;
using IstioLab.Blueprint.Egress;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The egress lockdown's objects: a REGISTRY_ONLY Sidecar and one ServiceEntry per host, in the store's namespace only.</summary>
public partial class EgressManifestTests
{
    private static LabSettings Settings(string hosts, string variant = "all-in-one") => EgressSettingsTests.Settings(hosts, variant: variant);

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(LabSettings settings) =>
        LabManifest.Build(settings, "asm-1-30", LabManifest.PasswordPlaceholder, LabManifest.IngressIpPlaceholder);

    [Fact]
    public void WithEgressOpenTheLabHasNoEgressObjectNoEgressCheckAndNoEgressPanel()
    {
        var settings = LabSettings.Defaults;

        Assert.Empty(EgressManifest.Build(settings));
        var objects = Objects(settings);
        Assert.DoesNotContain(objects, o => o is Sidecar or ServiceEntry);
        Assert.DoesNotContain(objects, o => o.Metadata.Name.StartsWith("check-egress", StringComparison.Ordinal));
        Assert.DoesNotContain(MeshDashboard.Panels(settings), p => p.Title == EgressDashboard.Title);
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheStoresNamespaceGetsOneSidecarThatAllowsOnlyRegisteredHosts(string variant)
    {
        var sidecar = Assert.Single(EgressManifest.Build(Settings("api.example.com", variant)).OfType<Sidecar>());

        Assert.Equal("networking.istio.io/v1", sidecar.ApiVersion);
        Assert.Equal("Sidecar", sidecar.Kind);
        Assert.Equal(("default", "pets"), (sidecar.Metadata.Name, sidecar.Metadata.NamespaceProperty));
        Assert.Equal("REGISTRY_ONLY", sidecar.Spec.OutboundTrafficPolicy?.Mode);
        // Nothing but the outbound policy: no workload selector (the whole namespace), no egress list (every Service stays reachable).
        var yaml = KubernetesYaml.Serialize(sidecar).Replace("\r", "", StringComparison.Ordinal);
        Assert.EndsWith("\nspec:\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY", yaml.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("workloadSelector", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("egress:", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void AListedHostGetsAnExternalServiceEntryOnTlsPort443SeenOnlyByTheStoresNamespace(string variant)
    {
        var entry = Assert.Single(EgressManifest.Build(Settings("api.example.com", variant)).OfType<ServiceEntry>());

        Assert.Equal("networking.istio.io/v1", entry.ApiVersion);
        Assert.Equal("ServiceEntry", entry.Kind);
        Assert.Equal(("egress.api.example.com", "pets"), (entry.Metadata.Name, entry.Metadata.NamespaceProperty));
        Assert.Equal(["api.example.com"], entry.Spec.Hosts);
        var port = Assert.Single(entry.Spec.Ports);
        Assert.Equal((443, "TLS", "tls-443"), (port.Number, port.Protocol, port.Name));
        Assert.Equal("MESH_EXTERNAL", entry.Spec.Location);
        Assert.Equal("DNS", entry.Spec.Resolution);
        Assert.Equal(["."], entry.Spec.ExportTo);
    }

    [Fact]
    public void PlainHttpWildcardsAndSecondPortsEachGetWhatFits()
    {
        var entries = EgressManifest.ServiceEntries(Settings("api.example.com,*.blob.core.windows.net,httpbin.org:80,api.example.com:8443"));

        Assert.Equal(["egress.api.example.com", "egress-wildcard.blob.core.windows.net", "egress.httpbin.org"], entries.Select(e => e.Metadata.Name));
        Assert.Equal([(443, "TLS", "tls-443"), (8443, "TLS", "tls-8443")], entries[0].Spec.Ports.Select(p => (p.Number, p.Protocol, p.Name)));
        Assert.Equal(["*.blob.core.windows.net"], entries[1].Spec.Hosts);
        Assert.Equal("NONE", entries[1].Spec.Resolution);
        Assert.Equal([(80, "HTTP", "http-80")], entries[2].Spec.Ports.Select(p => (p.Number, p.Protocol, p.Name)));
        Assert.Equal("DNS", entries[2].Spec.Resolution);
        Assert.All(entries, e => Assert.Equal(("MESH_EXTERNAL", "pets"), (e.Spec.Location, e.Metadata.NamespaceProperty)));
    }

    [Fact]
    public void TheEntriesComeBeforeTheSidecarAndAllAfterTheStoreAndItsPolicies()
    {
        var objects = Objects(Settings("api.example.com,httpbin.org:80") with { Authorization = AuthorizationMode.AllowList });
        var names = objects.Select(o => $"{o.Kind}/{o.Metadata.Name}").ToList();

        var sidecar = names.IndexOf("Sidecar/default");
        Assert.True(names.IndexOf("ServiceEntry/egress.api.example.com") < sidecar);
        Assert.True(names.IndexOf("ServiceEntry/egress.httpbin.org") < sidecar);
        Assert.True(names.IndexOf("AuthorizationPolicy/allow-nothing") < names.IndexOf("ServiceEntry/egress.api.example.com"));
        Assert.True(sidecar < names.FindIndex(n => n.StartsWith("Job/check-", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("api.example.com")]
    [InlineData("*.example.com")]
    [InlineData("a-b.example.com")]
    [InlineData("a.b-example.com")]
    public void EveryEntrysNameIsAValidObjectName(string host)
    {
        var name = EgressManifest.ServiceEntryName(host);

        Assert.Matches(Dns1123Subdomain(), name);
        Assert.True(name.Length <= 253);
    }

    [Fact]
    public void DistinctHostsGetDistinctEntryNames()
    {
        string[] hosts = ["api.example.com", "*.api.example.com", "wildcard.api.example.com", "egress.api.example.com", "a-b.example.com", "a.b-example.com"];

        Assert.Equal(hosts.Length, hosts.Select(EgressManifest.ServiceEntryName).Distinct().Count());
    }

    [Fact]
    public void AHostTooLongForItsEntrysNameIsRefusedInsteadOfRenderedInvalid()
    {
        var longest = string.Join(".", Enumerable.Repeat(new string('a', 60), 4)) + ".com"; // 247 characters, a valid DNS name

        var error = Assert.Single(Assert.Throws<LabSettingsException>(() => Settings(longest)).Errors);
        Assert.Contains("ServiceEntry's name", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheObjectsReadBackStrictlyAsTheirIstioTypes()
    {
        var settings = Settings("api.example.com,*.blob.core.windows.net,httpbin.org:80");
        var yaml = LabManifest.ToYaml(EgressManifest.Build(settings));

        var loaded = LabManifest.Load(yaml);
        Assert.Equal([typeof(ServiceEntry), typeof(ServiceEntry), typeof(ServiceEntry), typeof(Sidecar)], loaded.Select(o => o.GetType()));
        Assert.Equal(yaml, LabManifest.ToYaml(loaded));
        Assert.Equal(typeof(Sidecar), LabManifest.IstioTypeMap["networking.istio.io/v1/Sidecar"]);
        Assert.Equal(typeof(ServiceEntry), LabManifest.IstioTypeMap["networking.istio.io/v1/ServiceEntry"]);
        Assert.ThrowsAny<Exception>(() => LabManifest.Load(yaml.Replace("exportTo:", "exportedTo:", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
