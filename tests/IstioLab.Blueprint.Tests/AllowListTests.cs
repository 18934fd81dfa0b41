using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Security;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

public class AllowListTests
{
    internal static LabSettings Settings(string variant = "all-in-one", string mode = "allow-list", string checks = "true") =>
        LabSettings.Parse(new Dictionary<string, string?>
        {
            ["istio-lab:storeVariant"] = variant,
            ["istio-lab:authorization"] = mode,
            ["istio-lab:checks"] = checks,
        });

    /// <summary>
    /// The store's real calls, read from the store's sources at tag 2.1.0 and
    /// written out here on purpose: the catalog's declarations are checked against this list, not against themselves.
    /// Plus the lab's own in-mesh check. Methods empty: any method.
    /// </summary>
    private static readonly (string Caller, string Callee, int Port, string[] Methods)[] ReferenceEdges =
    [
        ("ingress gateway", "store-front", 8080, []),
        ("store-front", "order-service", 3000, ["POST"]),
        ("store-front", "product-service", 3002, ["GET"]),
        ("store-admin", "order-service", 3000, []),
        ("store-admin", "product-service", 3002, []),
        ("store-admin", "makeline-service", 3001, ["GET", "PUT"]),
        ("order-service", "rabbitmq", 5672, []),
        ("makeline-service", "rabbitmq", 5672, []),
        ("makeline-service", "mongodb", 27017, []),
        ("virtual-customer", "order-service", 3000, ["POST"]),
        ("virtual-worker", "makeline-service", 3001, ["GET", "PUT"]),
        ("inside check", "store-front", 8080, ["GET"]),
    ];

    private static readonly string?[] HttpMethods = ["GET", "POST", "PUT", "DELETE"];

    /// <summary>A port no store workload listens on: nothing may reach it.</summary>
    private const int UnusedPort = 9999;

    /// <summary>Every identity that could call into the store: its workloads, the gateway, the checks, and strangers.</summary>
    private static IEnumerable<(string Name, string Principal, string Namespace)> Identities(LabSettings settings) =>
    [
        .. StoreCatalog.Workloads(settings.StoreVariant).Select(w => (w.Name, $"cluster.local/ns/pets/sa/{w.Name}", "pets")),
        ("ingress gateway", "cluster.local/ns/aks-istio-ingress/sa/aks-istio-ingressgateway-external", "aks-istio-ingress"),
        ("inside check", "cluster.local/ns/pets/sa/check-inside", "pets"),
        ("denied check", "cluster.local/ns/pets/sa/check-denied", "pets"),
        ("upstream's default service account", "cluster.local/ns/pets/sa/default", "pets"),
        ("store-front's name in another namespace", "cluster.local/ns/elsewhere/sa/store-front", "elsewhere"),
    ];

    private static bool Declared(LabSettings settings, string caller, string callee, int port, string? method)
    {
        var deployed = StoreCatalog.Workloads(settings.StoreVariant).Select(w => w.Name).ToHashSet();
        var callerPresent = deployed.Contains(caller) || caller is "ingress gateway" or "inside check";
        return callerPresent && deployed.Contains(callee) && ReferenceEdges.Any(e =>
            e.Caller == caller && e.Callee == callee && e.Port == port && (e.Methods.Length == 0 || e.Methods.Contains(method)));
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheAllowListPermitsEveryDeclaredCallAndNothingElse(string variant)
    {
        var settings = Settings(variant);
        var policies = AuthorizationManifest.Build(settings);
        var mismatches = new List<string>();
        var allowedCount = 0;

        foreach (var callee in StoreCatalog.Workloads(settings.StoreVariant))
        {
            var ports = callee.Ports.Select(p => (p.ContainerPort, Protocol: p.Protocol == "tcp" ? CallProtocol.Tcp : CallProtocol.Http))
                .Append((UnusedPort, CallProtocol.Http));
            foreach (var (port, protocol) in ports)
            {
                foreach (var method in protocol == CallProtocol.Http ? HttpMethods : [null])
                {
                    foreach (var (name, principal, ns) in Identities(settings))
                    {
                        var allowed = AuthorizationEvaluator.Allows(policies, "pets", Kube.Labels(callee.Name, callee.Component, callee.Version),
                            new MeshRequest(principal, ns, port, protocol, method));
                        allowedCount += allowed ? 1 : 0;
                        if (allowed != Declared(settings, name, callee.Name, port, method))
                        {
                            mismatches.Add($"{name} -> {callee.Name}:{port} {method}: {(allowed ? "allowed" : "denied")}");
                        }
                    }
                }
            }
        }

        Assert.Empty(mismatches);
        Assert.True(allowedCount > 0);
    }

    [Theory]
    [InlineData("all-in-one", 12)]
    [InlineData("quickstart", 5)]
    public void EveryReferenceEdgeOfTheVariantIsGrantedOnce(string variant, int edges)
    {
        var granted = AuthorizationManifest.AllowedCalls(Settings(variant))
            .Select(a => (a.Caller.Name, a.Call.Callee, a.Call.Port, string.Join(",", a.Call.Methods)))
            .ToList();

        var expected = ReferenceEdges.Where(e => Declared(Settings(variant), e.Caller, e.Callee, e.Port, e.Methods.FirstOrDefault()))
            .Select(e => (e.Caller, e.Callee, e.Port, string.Join(",", e.Methods)))
            .ToList();
        Assert.Equal(edges, expected.Count);
        Assert.Equal(expected.Order(), granted.Order());
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheIngressGatewayIsKnownByItsNamespaceAndReachesOnlyStoreFrontOnItsContainerPort(string variant)
    {
        var rules = AuthorizationManifest.Build(Settings(variant))
            .SelectMany(p => (p.Spec.Rules ?? []).Select(r => (Policy: p, Rule: r)))
            .Where(pr => pr.Rule.From!.Any(f => f.Source.Namespaces is not null))
            .ToList();

        var (policy, rule) = Assert.Single(rules);
        Assert.Equal("store-front", policy.Spec.Selector!.MatchLabels["app"]);
        var source = Assert.Single(rule.From!).Source;
        Assert.Equal(["aks-istio-ingress"], source.Namespaces);
        Assert.Null(source.Principals);
        Assert.Equal(["8080"], Assert.Single(rule.To!).Operation.Ports);
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TcpRulesNameOnlyCallersAndPorts(string variant)
    {
        var settings = Settings(variant);
        var tcpPorts = StoreCatalog.Workloads(settings.StoreVariant)
            .SelectMany(w => w.Ports.Where(p => p.Protocol == "tcp").Select(p => (w.Name, p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToHashSet();

        var tcpOperations = AuthorizationManifest.Build(settings)
            .Where(p => p.Spec.Selector is not null)
            .SelectMany(p => p.Spec.Rules!.SelectMany(r => r.To!).Select(t => (Callee: p.Spec.Selector!.MatchLabels["app"], t.Operation)))
            .Where(o => o.Operation.Ports!.Any(port => tcpPorts.Contains((o.Callee, port))))
            .ToList();

        Assert.NotEmpty(tcpOperations);
        Assert.All(tcpOperations, o =>
        {
            Assert.All(o.Operation.Ports!, port => Assert.Contains((o.Callee, port), tcpPorts));
            Assert.Null(o.Operation.Methods);
            Assert.Null(o.Operation.Paths);
            Assert.Null(o.Operation.Hosts);
        });
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void EveryRuleNamesAnAuthenticatedCallerAndAContainerPortOfItsCallee(string variant)
    {
        var settings = Settings(variant);
        var accounts = LabManifest.Build(settings, "asm-1-30", "pw", "20.1.2.3").OfType<V1ServiceAccount>()
            .Select(sa => $"cluster.local/ns/{sa.Metadata.NamespaceProperty}/sa/{sa.Metadata.Name}")
            .ToHashSet();
        var workloads = StoreCatalog.Workloads(settings.StoreVariant).ToDictionary(w => w.Name);

        var allowPolicies = AuthorizationManifest.Build(settings).Where(p => p.Spec.Selector is not null).ToList();

        Assert.NotEmpty(allowPolicies);
        Assert.All(allowPolicies, policy =>
        {
            var callee = workloads[policy.Spec.Selector!.MatchLabels["app"]];
            Assert.Equal(Kube.Selector(callee.Name), policy.Spec.Selector.MatchLabels);
            Assert.Equal($"allow-{callee.Name}", policy.Metadata.Name);
            Assert.Equal("ALLOW", policy.Spec.Action);
            Assert.All(policy.Spec.Rules!, rule =>
            {
                var source = Assert.Single(rule.From!).Source;
                Assert.True(source.Principals is { Count: > 0 } || source.Namespaces is { Count: > 0 }, "a rule without a source would allow plaintext and every identity");
                Assert.All(source.Principals ?? [], principal => Assert.Contains(principal, accounts));
                var ports = Assert.Single(rule.To!).Operation.Ports!;
                Assert.All(ports, port => Assert.Contains(port, callee.Ports.Select(p => p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            });
        });
    }

    [Theory]
    [MemberData(nameof(StoreManifestTests.Variants), MemberType = typeof(StoreManifestTests))]
    public void TheNamespaceAllowsNothingByDefaultAndThatPolicyComesLast(string variant)
    {
        var policies = AuthorizationManifest.Build(Settings(variant));

        var allowNothing = policies[^1];
        Assert.Equal("allow-nothing", allowNothing.Metadata.Name);
        Assert.Equal("pets", allowNothing.Metadata.NamespaceProperty);
        Assert.Null(allowNothing.Spec.Selector);
        Assert.Null(allowNothing.Spec.Rules);
        Assert.Null(allowNothing.Spec.Action);
        Assert.Contains("name: allow-nothing\n  namespace: pets\nspec: {}\n", LabManifest.ToYaml(policies), StringComparison.Ordinal);
        Assert.All(policies, p => Assert.Equal(AuthorizationPolicy.ApiVersionValue, p.ApiVersion));
    }

    [Fact]
    public void ADeclaredCallWhoseCalleeIsNotDeployedGrantsNothing()
    {
        var quickstart = AuthorizationManifest.Build(Settings("quickstart")).Select(p => p.Metadata.Name);
        var allInOne = AuthorizationManifest.Build(Settings("all-in-one")).Select(p => p.Metadata.Name);

        Assert.Equal(["allow-rabbitmq", "allow-order-service", "allow-product-service", "allow-store-front", "allow-nothing"], quickstart);
        Assert.Equal(["allow-mongodb", "allow-rabbitmq", "allow-order-service", "allow-makeline-service", "allow-product-service", "allow-store-front", "allow-nothing"], allInOne);
        Assert.Contains(StoreCatalog.Workloads(StoreVariant.AllInOne).Single(w => w.Name == "product-service").Calls, c => c.Callee == "ai-service");
    }

    [Fact]
    public void ADeclaredCallToAPortTheCalleeDoesNotListenOnIsRejected()
    {
        var workloads = StoreCatalog.Workloads(StoreVariant.Quickstart);
        var caller = new MeshCaller("store-front", new CallerIdentity.ServiceAccount("pets", "store-front"), [StoreCall.Http("order-service", 80)]);

        var e = Assert.Throws<InvalidOperationException>(() => AuthorizationManifest.AllowedCalls(workloads, [caller]));
        Assert.Contains("order-service:80", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeclaredCallWithTheWrongProtocolOrHttpMethodsOnTcpIsRejected()
    {
        var workloads = StoreCatalog.Workloads(StoreVariant.Quickstart);
        var http = new MeshCaller("order-service", new CallerIdentity.ServiceAccount("pets", "order-service"), [StoreCall.Http("rabbitmq", 5672)]);
        var methods = new MeshCaller("order-service", new CallerIdentity.ServiceAccount("pets", "order-service"), [new StoreCall("rabbitmq", 5672, CallProtocol.Tcp, ["GET"])]);

        Assert.Throws<InvalidOperationException>(() => AuthorizationManifest.AllowedCalls(workloads, [http]));
        Assert.Throws<InvalidOperationException>(() => AuthorizationManifest.AllowedCalls(workloads, [methods]));
    }

    [Fact]
    public void OpenModeAppliesNoPolicyAndDryRunMarksEveryPolicySoNothingIsEnforced()
    {
        Assert.Empty(AuthorizationManifest.Build(Settings(mode: "open")));

        var dryRun = AuthorizationManifest.Build(Settings(mode: "dry-run"));
        var enforced = AuthorizationManifest.Build(Settings(mode: "allow-list"));
        Assert.Equal(enforced.Select(p => p.Metadata.Name), dryRun.Select(p => p.Metadata.Name));
        Assert.All(dryRun, p => Assert.Equal("true", p.Metadata.Annotations["istio.io/dry-run"]));
        Assert.All(enforced, p => Assert.Null(p.Metadata.Annotations));
        Assert.Equal(LabManifest.ToYaml(enforced.Select(p => p.Spec)), LabManifest.ToYaml(dryRun.Select(p => p.Spec)));
        Assert.True(AuthorizationEvaluator.Allows(dryRun, "pets", Kube.Labels("mongodb", "database", "4.2"),
            new MeshRequest("cluster.local/ns/pets/sa/virtual-customer", "pets", 27017, CallProtocol.Tcp)));
    }

    [Fact]
    public void WithoutTheChecksTheAllowListHasNoRuleForThem()
    {
        var principals = AuthorizationManifest.Build(Settings(checks: "false"))
            .SelectMany(p => p.Spec.Rules ?? []).SelectMany(r => r.From!).SelectMany(f => f.Source.Principals ?? []);

        Assert.DoesNotContain(principals, p => p.Contains("/sa/check-", StringComparison.Ordinal));
    }

    [Fact]
    public void TheInsideCheckIsAllowedToStoreFrontAndTheDeniedCheckNowhere()
    {
        var callers = WorkshopChecks.MeshCallers(Settings());

        Assert.Equal(["inside check", "denied check"], callers.Select(c => c.Name));
        Assert.Equal([StoreCall.Http("store-front", 8080, "GET")], callers[0].Calls);
        Assert.Empty(callers[1].Calls);
        Assert.Equal(["inside check"], WorkshopChecks.MeshCallers(Settings(mode: "dry-run")).Select(c => c.Name));
    }

    [Fact]
    public void TheWaitForRabbitMqInitContainerOnlyOpensATcpConnectionAndGetsNoRule()
    {
        var workloads = StoreCatalog.Workloads(StoreVariant.Quickstart);
        var init = StartupWaits.Container(StartupWaits.For(workloads.Single(w => w.Name == "order-service"), workloads).Single());

        Assert.Equal(StoreCatalog.IstioProxyUid, init.SecurityContext.RunAsUser);
        Assert.Contains("nc -z", string.Join(" ", init.Command), StringComparison.Ordinal);
        var rabbitmq = AuthorizationManifest.Build(Settings("quickstart")).Single(p => p.Metadata.Name == "allow-rabbitmq");
        Assert.Equal(["cluster.local/ns/pets/sa/order-service"], rabbitmq.Spec.Rules!.SelectMany(r => r.From!).SelectMany(f => f.Source.Principals!));
    }

    [Fact]
    public void TheZeroTrustPagesTableOfAllowedCallsIsTheOneBuiltFromTheCatalog()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("docs", "zero-trust.md"));
        var table = AuthorizationManifest.AllowedCallsTable();

        Assert.Contains("\n" + table + "\n", readme, StringComparison.Ordinal);
        Assert.Equal(ReferenceEdges.Length + 2, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void TheRouteTheGatewayFollowsIsTheCallTheAllowListGrantsIt()
    {
        var gateway = AuthorizationManifest.IngressGateway(Settings());
        var destination = MeshManifest.StoreRoute(Settings()).Spec.Http.Single().Route.Single().Destination;

        Assert.Equal(new CallerIdentity.AnyInNamespace("aks-istio-ingress"), gateway.Identity);
        var call = Assert.Single(gateway.Calls);
        Assert.Equal(destination.Host, call.Callee);
        Assert.Equal(80, destination.Port.Number);
        Assert.Equal(8080, call.Port);
        Assert.Empty(call.Methods);
    }
}
