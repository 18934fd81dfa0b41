using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The allow-list's guards: a declaration that names a port or protocol the callee does not serve is refused with a
/// message naming the caller, the call and what the callee really serves; a missing argument is refused by name; and
/// every policy carries the store's labels. Written for the mutants Stryker.NET found surviving in Security.
/// </summary>
public class AuthorizationManifestRuleTests
{
    private static readonly LabSettings AllowList = LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:authorization"] = "allow-list" });

    private static IReadOnlyList<Workload> Deployed => StoreCatalog.Workloads(StoreVariant.AllInOne);

    private static InvalidOperationException Refused(params StoreCall[] calls) => Assert.Throws<InvalidOperationException>(() =>
        AuthorizationManifest.AllowedCalls(Deployed, [new MeshCaller("tester", new CallerIdentity.AnyInNamespace("lab"), calls)]));

    [Fact]
    public void ACallToAPortTheCalleeDoesNotListenOnIsRefusedNamingItsPorts()
    {
        var error = Refused(StoreCall.Tcp("rabbitmq", 5673));

        Assert.Equal("tester declares a call to rabbitmq:5673, but rabbitmq listens on 5672, 15672", error.Message);
    }

    [Fact]
    public void ACallWithTheWrongProtocolIsRefusedNamingThePort()
    {
        var error = Refused(StoreCall.Http("rabbitmq", 5672));

        Assert.Equal("tester declares a Http call to rabbitmq:5672, but that port is tcp ('tcp-amqp')", error.Message);
    }

    [Fact]
    public void HttpMethodsOnATcpCallAreRefused()
    {
        var error = Refused(new StoreCall("rabbitmq", 5672, CallProtocol.Tcp, ["GET"]));

        Assert.Equal("tester declares HTTP methods on a TCP call to rabbitmq:5672; a rule with methods never matches TCP", error.Message);
    }

    [Fact]
    public void ACallToAWorkloadThisVariantDoesNotDeployGrantsNothing()
    {
        var quickstart = StoreCatalog.Workloads(StoreVariant.Quickstart);

        var allowed = AuthorizationManifest.AllowedCalls(quickstart, [new MeshCaller("tester", new CallerIdentity.AnyInNamespace("lab"), [StoreCall.Http("ai-service", 5001)])]);

        Assert.Empty(allowed);
    }

    [Fact]
    public void ACallThroughAnUnknownServiceOrPortIsRefusedByName()
    {
        var service = Assert.Throws<InvalidOperationException>(() => AuthorizationManifest.CallThroughService(AllowList, "no-such-service", 80));
        var port = Assert.Throws<InvalidOperationException>(() => AuthorizationManifest.CallThroughService(AllowList, "store-front", 81));

        Assert.Equal("no store Service 'no-such-service' in the all-in-one store", service.Message);
        Assert.Equal("the Service 'store-front' has no port 81", port.Message);
    }

    [Fact]
    public void MissingArgumentsAreRefusedByName()
    {
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.Callers(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.IngressGateway(null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.CallThroughService(null!, "store-front", 80)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.AllowedCalls((LabSettings)null!)).ParamName);
        Assert.Equal("deployed", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.AllowedCalls(null!, [])).ParamName);
        Assert.Equal("callers", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.AllowedCalls(Deployed, null!)).ParamName);
        Assert.Equal("settings", Assert.Throws<ArgumentNullException>(() => AuthorizationManifest.Build(null!)).ParamName);
    }

    [Fact]
    public void EveryPolicyCarriesTheStoresLabels()
    {
        var policies = AuthorizationManifest.Build(AllowList);

        Assert.NotEmpty(policies);
        Assert.All(policies, p => Assert.Equal(
            new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "aks-store-demo", ["app.kubernetes.io/managed-by"] = "istio-lab" },
            p.Metadata.Labels));
    }
}
