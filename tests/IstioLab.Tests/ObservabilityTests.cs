using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.Testing;
using static IstioLab.Tests.LabHarness;
using static IstioLab.Tests.ResourceTypes;

namespace IstioLab.Tests;

/// <summary>Managed Prometheus, Managed Grafana, the identities and Kiali under the mock engine: wired to each other's ids.</summary>
public class ObservabilityTests
{
    private static Dictionary<string, string> Config(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    private static string IdOf(MockResourceArgs resource) => $"{resource.Name}-id";

    // Built-in role ids as Azure publishes them, never the product's own constants (a wrong constant must fail here):
    // Grafana Admin and Grafana Editor from Azure's built-in roles reference, MicrosoftDocs/azure-docs
    // articles/role-based-access-control/built-in-roles/monitor.md ("name" of each role's JSON definition);
    // Monitoring Data Reader, which that page does not list, from the role assignment Azure Monitor's own template
    // makes for Grafana on a workspace, MicrosoftDocs/azure-docs articles/azure-monitor/containers/prometheus-metrics-multiple-workspaces.md.
    // Monitoring Reader (43d0d8ad-25c7-4714-9337-8ba259a9fe05, same monitor.md) cannot read a workspace's metrics.
    private const string GrafanaAdmin = "22926164-76b3-42b3-bc55-97df8dab3e41";
    private const string GrafanaEditor = "a79a5197-3a5c-4973-a920-486035ffd60f";
    private const string MonitoringDataReader = "b0d8363b-8ddd-447d-831f-62ca05bff136";

    private static string Role(string guid) => $"/subscriptions/{SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid}";

    private static MockResourceArgs Grant(LabHarness lab, string purpose) =>
        lab.OfType(RoleAssignmentType).Single(r => r.Name == $"istio-lab-observability-{purpose}");

    private static async Task<LabHarness> RunAsync(Dictionary<string, string>? config = null)
    {
        var lab = new LabHarness();
        await lab.RunAsync(config);
        return lab;
    }

    [Fact]
    public async Task TheRuleSendsThePrometheusStreamFromTheEndpointToTheWorkspace()
    {
        var lab = await RunAsync();

        var workspace = lab.Single("azure-native:monitor:AzureMonitorWorkspace");
        var endpoint = lab.Single("azure-native:monitor:DataCollectionEndpoint");
        var rule = lab.Single("azure-native:monitor:DataCollectionRule").Inputs;
        Assert.Equal("istio-lab-aks-amw", workspace.Inputs["azureMonitorWorkspaceName"]);
        Assert.Equal("MSProm-westeurope-istio-lab-aks", endpoint.Inputs["dataCollectionEndpointName"]);
        Assert.Equal("Linux", endpoint.Inputs["kind"]);
        Assert.Equal(IdOf(endpoint), rule["dataCollectionEndpointId"]);
        var source = Map(Assert.Single(List(Map(rule["dataSources"])["prometheusForwarder"])));
        Assert.Equal(["Microsoft-PrometheusMetrics"], List(source["streams"]).Cast<string>());
        var destination = Map(Assert.Single(List(Map(rule["destinations"])["monitoringAccounts"])));
        Assert.Equal(IdOf(workspace), destination["accountResourceId"]);
        var flow = Map(Assert.Single(List(rule["dataFlows"])));
        Assert.Equal(["Microsoft-PrometheusMetrics"], List(flow["streams"]).Cast<string>());
        Assert.Equal([(string)destination["name"]], List(flow["destinations"]).Cast<string>());
    }

    [Fact]
    public async Task TheRuleIsAssociatedWithTheCluster()
    {
        var lab = await RunAsync();

        var association = lab.Single("azure-native:monitor:DataCollectionRuleAssociation").Inputs;
        Assert.Equal(IdOf(lab.Single(ClusterType)), association["resourceUri"]);
        Assert.Equal(IdOf(lab.Single("azure-native:monitor:DataCollectionRule")), association["dataCollectionRuleId"]);
    }

    [Fact]
    public async Task TheRecordingRuleGroupsAreScopedToTheWorkspaceAndTheCluster()
    {
        var lab = await RunAsync();

        var groups = lab.OfType("azure-native:alertsmanagement:PrometheusRuleGroup").ToList();
        Assert.Equal(["KubernetesRecordingRulesRuleGroup-istio-lab-aks", "NodeRecordingRulesRuleGroup-istio-lab-aks", "UXRecordingRulesRuleGroup - istio-lab-aks"],
            groups.Select(g => (string)g.Inputs["ruleGroupName"]).Order(StringComparer.Ordinal));
        var scopes = new[] { IdOf(lab.Single("azure-native:monitor:AzureMonitorWorkspace")), IdOf(lab.Single(ClusterType)) };
        Assert.All(groups, g => Assert.Equal(scopes, List(g.Inputs["scopes"]).Cast<string>()));
        Assert.All(groups, g => Assert.Equal("istio-lab-aks", g.Inputs["clusterName"]));
        var node = groups.Single(g => ((string)g.Inputs["ruleGroupName"]).StartsWith("Node", StringComparison.Ordinal));
        Assert.Equal(RecordingRules.Node.Select(r => r.Record), List(node.Inputs["rules"]).Select(r => (string)Map(r)["record"]));
    }

    [Fact]
    public async Task TheClusterSendsMetricsAndTrustsItsOwnIssuerForWorkloadIdentity()
    {
        var lab = await RunAsync();

        var cluster = lab.Single(ClusterType).Inputs;
        Assert.Equal(true, Map(Map(cluster["azureMonitorProfile"])["metrics"])["enabled"]);
        Assert.Equal(true, Map(cluster["oidcIssuerProfile"])["enabled"]);
        Assert.Equal(true, Map(Map(cluster["securityProfile"])["workloadIdentity"])["enabled"]);
    }

    [Fact]
    public async Task GrafanaHasItsOwnIdentityAndTheWorkspaceAsItsDataSource()
    {
        var lab = await RunAsync();

        var grafana = lab.Single("azure-native:dashboard:Grafana").Inputs;
        Assert.Equal("grafana-istio-lab-aks", grafana["workspaceName"]);
        Assert.Equal("Standard", Map(grafana["sku"])["name"]);
        Assert.Equal("SystemAssigned", Map(grafana["identity"])["type"]);
        var properties = Map(grafana["properties"]);
        Assert.Equal("Disabled", properties["apiKey"]);
        var integration = Map(Assert.Single(List(Map(properties["grafanaIntegrations"])["azureMonitorWorkspaceIntegrations"])));
        Assert.Equal(IdOf(lab.Single("azure-native:monitor:AzureMonitorWorkspace")), integration["azureMonitorWorkspaceResourceId"]);
    }

    [Fact]
    public async Task EachRoleIsGrantedToItsPrincipalOnItsScopeUnderAStableName()
    {
        var lab = await RunAsync();
        var workspace = IdOf(lab.Single("azure-native:monitor:AzureMonitorWorkspace"));
        var grafana = IdOf(lab.Single("azure-native:dashboard:Grafana"));

        var expected = new[]
        {
            ("grafana-reads-workspace", workspace, MonitoringDataReader, GrafanaPrincipalId),
            ("proxy-reads-workspace", workspace, MonitoringDataReader, PrincipalIdOf("istio-lab-aks-metrics-reader")),
            ("publisher-edits-grafana", grafana, GrafanaEditor, PrincipalIdOf("istio-lab-aks-dashboard-publisher")),
            ("grafana-admin", grafana, GrafanaAdmin, DeployerObjectId),
        };
        Assert.Equal(expected.Length, lab.OfType(RoleAssignmentType).Count());
        foreach (var (purpose, scope, role, principal) in expected)
        {
            var grant = Grant(lab, purpose).Inputs;
            Assert.Equal(scope, grant["scope"]);
            Assert.Equal(Role(role), grant["roleDefinitionId"]);
            Assert.Equal(principal, grant["principalId"]);
            Assert.Equal(AzureNames.RoleAssignment(LabSettings.Defaults, SubscriptionId, purpose), grant["roleAssignmentName"]);
            Assert.True(Guid.TryParse((string)grant["roleAssignmentName"], out _));
        }

        Assert.Equal("ServicePrincipal", Grant(lab, "proxy-reads-workspace").Inputs["principalType"]);
        Assert.False(Grant(lab, "grafana-admin").Inputs.ContainsKey("principalType"), "a person or group is left to Azure to tell");
    }

    [Fact]
    public async Task AConfiguredGrafanaAdminGetsTheAdminRole()
    {
        const string admin = "12345678-aaaa-bbbb-cccc-1234567890ab";
        var lab = await RunAsync(Config(("istio-lab:grafanaAdminObjectId", admin)));

        Assert.Equal(admin, Grant(lab, "grafana-admin").Inputs["principalId"]);
    }

    [Fact]
    public async Task EachIdentityTrustsOnlyItsServiceAccountThroughTheClustersIssuer()
    {
        var lab = await RunAsync();

        var credentials = lab.OfType(CredentialType).ToDictionary(c => (string)c.Inputs["resourceName"], c => c.Inputs);
        Assert.Equal(["istio-lab-aks-dashboard-publisher", "istio-lab-aks-metrics-reader"], credentials.Keys.Order(StringComparer.Ordinal));
        Assert.All(credentials.Values, c => Assert.Equal(OidcIssuer, c["issuer"]));
        Assert.All(credentials.Values, c => Assert.Equal(["api://AzureADTokenExchange"], List(c["audiences"]).Cast<string>()));
        Assert.Equal("system:serviceaccount:istio-lab-monitoring:aad-auth-proxy", credentials["istio-lab-aks-metrics-reader"]["subject"]);
        Assert.Equal("system:serviceaccount:istio-lab-monitoring:dashboard-publisher", credentials["istio-lab-aks-dashboard-publisher"]["subject"]);
    }

    [Fact]
    public async Task TheClusterObjectsCarryTheIdentitiesAndEndpointsAzureReports()
    {
        var lab = await RunAsync();

        var group = lab.OfType("kubernetes:yaml/v2:ConfigGroup").Single(r => r.Name == "istio-lab-observability-in-cluster");
        var facts = new MonitoringFacts(ClientIdOf("istio-lab-aks-metrics-reader"), QueryEndpoint, ClientIdOf("istio-lab-aks-dashboard-publisher"), GrafanaEndpoint);
        Assert.Equal(LabManifest.MonitoringYaml(LabSettings.Defaults, facts), group.Inputs["yaml"]);
        var yaml = (string)group.Inputs["yaml"];
        Assert.Contains("name: ama-metrics-prometheus-config", yaml, StringComparison.Ordinal);
        Assert.Contains($"value: {QueryEndpoint}", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KialiIsThePinnedChartPointedAtTheProxyAndLinkedToGrafana()
    {
        var lab = await RunAsync();

        var chart = lab.Single("kubernetes:helm.sh/v4:Chart").Inputs;
        Assert.Equal(Kiali.Chart, chart["chart"]);
        Assert.Equal(Kiali.ChartVersion, chart["version"]);
        Assert.Equal(Kiali.ChartRepository, Map(chart["repositoryOpts"])["repo"]);
        Assert.Equal(MonitoringManifest.Namespace, chart["namespace"]);
        var services = Map(Map(chart["values"])["external_services"]);
        Assert.Equal(MonitoringManifest.ProxyUrl, Map(services["prometheus"])["url"]);
        Assert.Equal(GrafanaEndpoint, Map(services["grafana"])["external_url"]);
        Assert.Equal(false, Map(services["tracing"])["enabled"]);
        Assert.Equal("ClusterIP", Map(Map(chart["values"])["deployment"])["service_type"]);
    }

    [Fact]
    public async Task KialiWaitsForItsNamespaceAndProxyAndTheChecksWaitForKiali()
    {
        var lab = new LabHarness { Slow = r => r.Name is "istio-lab-observability-in-cluster" or "istio-lab-observability-kiali" };
        await lab.RunAsync();

        Assert.True(lab.WaitedFor("istio-lab-observability-kiali", "istio-lab-observability-in-cluster"));
        Assert.True(lab.WaitedFor("istio-lab-checks-jobs", "istio-lab-observability-kiali"));
        Assert.True(lab.WaitedFor("istio-lab-checks-jobs", "istio-lab-observability-in-cluster"));
    }

    [Fact]
    public async Task TheClusterObjectsWaitForTheIdentitiesTheirFederationAndTheirRoles()
    {
        var lab = new LabHarness { Slow = r => r.Type is RoleAssignmentType or CredentialType or "azure-native:monitor:DataCollectionRuleAssociation" };
        await lab.RunAsync();

        var dependencies = lab.OfType(RoleAssignmentType).Concat(lab.OfType(CredentialType)).Append(lab.Single("azure-native:monitor:DataCollectionRuleAssociation"));
        Assert.All(dependencies, d => Assert.True(lab.WaitedFor("istio-lab-observability-in-cluster", d.Name!), $"the proxy and the dashboard Job must wait for {d.Name}"));
    }

    [Fact]
    public async Task TheMetricsAndKialiChecksRunAfterTheGatewayCheck()
    {
        var lab = await RunAsync();

        var checks = lab.OfType("kubernetes:yaml/v2:ConfigGroup").Single(r => r.Name == "istio-lab-checks-jobs");
        var yaml = (string)checks.Inputs["yaml"];
        Assert.Contains("name: check-metrics-", yaml, StringComparison.Ordinal);
        Assert.Contains("name: check-kiali-", yaml, StringComparison.Ordinal);
        Assert.Contains("config.kubernetes.io/depends-on: batch/namespaces/pets-outside-mesh/Job/check-gateway-", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOutputsSayWhereGrafanaAndTheWorkspaceAreAndHowToOpenKiali()
    {
        var outputs = await new LabHarness().RunAsync();

        Assert.Equal(GrafanaEndpoint, await ValueOf(Assert.IsType<Output<string>>(outputs["grafanaUrl"])));
        Assert.Equal(QueryEndpoint, await ValueOf(Assert.IsType<Output<string>>(outputs["prometheusQueryEndpoint"])));
        Assert.Equal(Kiali.PortForwardCommand, outputs["kialiPortForward"]);
        Assert.Equal(Kiali.TokenCommand, outputs["kialiToken"]);
    }

    [Fact]
    public async Task WithObservabilityOffNoneOfItExistsAndTheMetricsProfileStaysOff()
    {
        var lab = await RunAsync(Config(("istio-lab:observability", "false")));
        var outputs = await new LabHarness().RunAsync(Config(("istio-lab:observability", "false")));

        Assert.DoesNotContain(lab.Registered, r => r.Type is { } t && (t.StartsWith("azure-native:monitor:", StringComparison.Ordinal)
            || t.StartsWith("azure-native:alertsmanagement:", StringComparison.Ordinal) || t.StartsWith("azure-native:dashboard:", StringComparison.Ordinal)
            || t.StartsWith("azure-native:managedidentity:", StringComparison.Ordinal) || t.StartsWith("azure-native:authorization:", StringComparison.Ordinal)
            || t == Observability.Type || t == "kubernetes:helm.sh/v4:Chart"));
        Assert.DoesNotContain(lab.Registered, r => r.Name == "istio-lab-observability-in-cluster");
        var cluster = lab.Single(ClusterType).Inputs;
        Assert.Equal(false, Map(Map(cluster["azureMonitorProfile"])["metrics"])["enabled"]);
        Assert.False(cluster.ContainsKey("oidcIssuerProfile"));
        var checks = (string)lab.OfType("kubernetes:yaml/v2:ConfigGroup").Single(r => r.Name == "istio-lab-checks-jobs").Inputs["yaml"];
        Assert.DoesNotContain("check-metrics-", checks, StringComparison.Ordinal);
        Assert.DoesNotContain("check-kiali-", checks, StringComparison.Ordinal);
        Assert.StartsWith("disabled", Assert.IsType<string>(outputs["grafanaUrl"]), StringComparison.Ordinal);
    }
}
