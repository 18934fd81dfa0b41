using System.Collections.Immutable;
using IstioLab.Blueprint.Observability;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.AzureNative.AlertsManagement;
using Pulumi.AzureNative.AlertsManagement.Inputs;
using Pulumi.AzureNative.Authorization;
using Pulumi.AzureNative.Dashboard;
using Pulumi.AzureNative.Dashboard.Inputs;
using Pulumi.AzureNative.ManagedIdentity;
using Pulumi.AzureNative.Monitor;
using Pulumi.AzureNative.Monitor.Inputs;
using Pulumi.Kubernetes.Types.Inputs.Helm.V4;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Kubernetes.Yaml.V2;
using Pulumi.Random;
using HelmChart = Pulumi.Kubernetes.Helm.V4.Chart;
using HelmChartArgs = Pulumi.Kubernetes.Types.Inputs.Helm.V4.ChartArgs;
using KubeSecret = Pulumi.Kubernetes.Core.V1.Secret;
using KubeSecretArgs = Pulumi.Kubernetes.Types.Inputs.Core.V1.SecretArgs;

namespace IstioLab;

/// <summary>What observability needs from the rest of the graph.</summary>
/// <param name="Settings">The validated stack settings.</param>
/// <param name="Cluster">The cluster, scraped and scoped by the rules and the association.</param>
/// <param name="Provider">The cluster's explicit Kubernetes provider.</param>
public sealed record ObservabilityArgs(LabSettings Settings, AksCluster Cluster, ProviderResource Provider);

/// <summary>
/// Watching the mesh, wired as Microsoft's onboarding templates wire managed Prometheus, plus what they leave out:
/// the Azure Monitor workspace; the data collection endpoint, rule and the rule's association with the cluster; the
/// node and Kubernetes recording rules; Managed Grafana on the workspace; two user-assigned identities federated
/// with their service accounts (the metrics proxy reads the workspace, the dashboard Job writes to Grafana); Istio's
/// scrape config, the proxy and the dashboard Job in the cluster; and Kiali on the proxy.
/// </summary>
public sealed class Observability : ComponentResource
{
    public const string Type = "istiolab:index:Observability";

    /// <summary>The names the data collection rule gives its one data source and its one destination.</summary>
    public const string PrometheusSource = "PrometheusDataSource";
    public const string WorkspaceDestination = "MonitoringAccount1";
    public const string PrometheusStream = "Microsoft-PrometheusMetrics";

    public AzureMonitorWorkspace Workspace { get; }
    public DataCollectionEndpoint Endpoint { get; }
    public DataCollectionRule Rule { get; }
    public DataCollectionRuleAssociation Association { get; }
    public IReadOnlyList<PrometheusRuleGroup> RuleGroups { get; }
    public Grafana Grafana { get; }
    public UserAssignedIdentity MetricsReader { get; }
    public UserAssignedIdentity DashboardPublisher { get; }
    public IReadOnlyList<RoleAssignment> RoleAssignments { get; }

    /// <summary>The scrape config, the proxy, the dashboard Job and Kiali's login account; from workshop step 5 on (null before).</summary>
    public ConfigGroup? InCluster { get; }

    public HelmChart? Kiali { get; }

    /// <summary>The Secret holding the key that signs Kiali's logins, from a random secret kept in state.</summary>
    public KubeSecret? KialiSigningKey { get; }

    public Output<string> GrafanaUrl { get; }
    public Output<string> QueryEndpoint { get; }

    public Observability(string name, ObservabilityArgs args, ComponentResourceOptions? options = null)
        : base(Type, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Settings;
        var cluster = args.Cluster;
        var group = cluster.Group.Name;
        CustomResourceOptions Child() => new() { Parent = this };
        var client = GetClientConfig.Invoke(new InvokeOutputOptions { Parent = this });
        Output<string> Role(string guid) => Output.Format($"/subscriptions/{client.Apply(c => c.SubscriptionId)}/providers/Microsoft.Authorization/roleDefinitions/{guid}");

        Workspace = new AzureMonitorWorkspace($"{name}-workspace", new AzureMonitorWorkspaceArgs
        {
            AzureMonitorWorkspaceName = AzureNames.Workspace(settings),
            ResourceGroupName = group,
            Location = settings.Location,
        }, Child());

        Endpoint = new DataCollectionEndpoint($"{name}-dce", new DataCollectionEndpointArgs
        {
            DataCollectionEndpointName = AzureNames.DataCollectionEndpoint(settings),
            ResourceGroupName = group,
            Location = settings.Location,
            Kind = KnownDataCollectionEndpointResourceKind.Linux,
        }, Child());

        Rule = new DataCollectionRule($"{name}-dcr", new DataCollectionRuleArgs
        {
            DataCollectionRuleName = AzureNames.DataCollectionRule(settings),
            ResourceGroupName = group,
            Location = settings.Location,
            Kind = KnownDataCollectionRuleResourceKind.Linux,
            DataCollectionEndpointId = Endpoint.Id,
            DataSources = new DataCollectionRuleDataSourcesArgs
            {
                PrometheusForwarder =
                {
                    new PrometheusForwarderDataSourceArgs
                    {
                        Name = PrometheusSource,
                        Streams = { (Union<string, KnownPrometheusForwarderDataSourceStreams>)PrometheusStream },
                    },
                },
            },
            Destinations = new DataCollectionRuleDestinationsArgs
            {
                MonitoringAccounts = { new MonitoringAccountDestinationArgs { AccountResourceId = Workspace.Id, Name = WorkspaceDestination } },
            },
            DataFlows =
            {
                new DataFlowArgs
                {
                    Streams = { (Union<string, KnownDataFlowStreams>)PrometheusStream },
                    Destinations = { WorkspaceDestination },
                },
            },
        }, Child());

        Association = new DataCollectionRuleAssociation($"{name}-dcra", new DataCollectionRuleAssociationArgs
        {
            AssociationName = AzureNames.DataCollectionRuleAssociation(settings),
            ResourceUri = cluster.Cluster.Id,
            DataCollectionRuleId = Rule.Id,
        }, Child());

        PrometheusRuleGroup RuleGroup(string logical, string groupName, IReadOnlyList<RecordingRule> rules)
        {
            var ruleArgs = new PrometheusRuleGroupArgs
            {
                RuleGroupName = groupName,
                ResourceGroupName = group,
                Location = settings.Location,
                ClusterName = settings.ClusterName,
                Enabled = true,
                Interval = RecordingRules.Interval,
                Scopes = { Workspace.Id, cluster.Cluster.Id },
            };
            foreach (var rule in rules)
            {
                var ruleInput = new PrometheusRuleArgs { Record = rule.Record, Expression = rule.Expression };
                foreach (var (key, value) in rule.Labels ?? new Dictionary<string, string>())
                {
                    ruleInput.Labels.Add(key, value);
                }

                ruleArgs.Rules.Add(ruleInput);
            }

            return new PrometheusRuleGroup(logical, ruleArgs, Child());
        }

        RuleGroups =
        [
            RuleGroup($"{name}-node-rules", AzureNames.NodeRuleGroup(settings), RecordingRules.Node),
            RuleGroup($"{name}-kubernetes-rules", AzureNames.KubernetesRuleGroup(settings), RecordingRules.Kubernetes),
            RuleGroup($"{name}-ux-rules", AzureNames.UxRuleGroup(settings), RecordingRules.Ux),
        ];

        Grafana = new Grafana($"{name}-grafana", new GrafanaArgs
        {
            WorkspaceName = AzureNames.Grafana(settings),
            ResourceGroupName = group,
            Location = settings.Location,
            Sku = new ResourceSkuArgs { Name = "Standard" },
            // Qualified: Monitor defines ManagedServiceIdentityArgs, and Resources, ContainerService and Monitor a
            // ManagedServiceIdentityType, too.
            Identity = new Pulumi.AzureNative.Dashboard.Inputs.ManagedServiceIdentityArgs { Type = Pulumi.AzureNative.Dashboard.ManagedServiceIdentityType.SystemAssigned },
            Properties = new ManagedGrafanaPropertiesArgs
            {
                // Entra ID sign-in only: no API keys.
                ApiKey = ApiKey.Disabled,
                GrafanaIntegrations = new GrafanaIntegrationsArgs
                {
                    AzureMonitorWorkspaceIntegrations = { new AzureMonitorWorkspaceIntegrationArgs { AzureMonitorWorkspaceResourceId = Workspace.Id } },
                },
            },
        }, Child());

        UserAssignedIdentity Identity(string logical, string identityName, string credentialName, string subject, out FederatedIdentityCredential credential)
        {
            var identity = new UserAssignedIdentity(logical, new UserAssignedIdentityArgs
            {
                ResourceName = identityName,
                ResourceGroupName = group,
                Location = settings.Location,
            }, Child());
            credential = new FederatedIdentityCredential($"{logical}-federation", new FederatedIdentityCredentialArgs
            {
                FederatedIdentityCredentialResourceName = credentialName,
                ResourceGroupName = group,
                ResourceName = identity.Name,
                // The cluster's own issuer, never a constant.
                Issuer = cluster.OidcIssuerUrl,
                Subject = subject,
                Audiences = { MonitoringManifest.FederatedAudience },
            }, Child());
            return identity;
        }

        MetricsReader = Identity($"{name}-metrics-reader", AzureNames.MetricsReaderIdentity(settings), MonitoringManifest.ProxyName, MonitoringManifest.ProxySubject, out var readerCredential);
        DashboardPublisher = Identity($"{name}-dashboard-publisher", AzureNames.DashboardPublisherIdentity(settings), MonitoringManifest.PublisherName, MonitoringManifest.PublisherSubject, out var publisherCredential);

        RoleAssignment Grant(string purpose, Input<string> scope, string role, Output<string> principal, bool servicePrincipal)
        {
            var grant = new RoleAssignmentArgs
            {
                RoleAssignmentName = client.Apply(c => AzureNames.RoleAssignment(settings, c.SubscriptionId, purpose)),
                Scope = scope,
                RoleDefinitionId = Role(role),
                PrincipalId = principal,
                // A managed identity says so, which avoids failures while it replicates; a person or group is left to
                // Azure to tell, since the deploying principal may be either a user or a pipeline's service principal.
                PrincipalType = servicePrincipal ? PrincipalType.ServicePrincipal : null,
            };
            // The name is fixed for the stack, and Azure refuses to move an assignment to a new principal
            // (RoleAssignmentUpdateNotPermitted), so azure-native replaces it when principalId or scope changes
            // (pulumi/pulumi-azure-native pull request 1010). A new principal (grafana-admin follows whoever runs
            // `pulumi up`) must then delete the old assignment before the new one takes the same name.
            return new RoleAssignment($"{name}-{purpose}", grant, new CustomResourceOptions { Parent = this, DeleteBeforeReplace = true });
        }

        RoleAssignments =
        [
            Grant("grafana-reads-workspace", Workspace.Id, AzureNames.MonitoringDataReaderRole, Grafana.Identity.Apply(i => i?.PrincipalId ?? ""), servicePrincipal: true),
            Grant("proxy-reads-workspace", Workspace.Id, AzureNames.MonitoringDataReaderRole, MetricsReader.PrincipalId, servicePrincipal: true),
            Grant("publisher-edits-grafana", Grafana.Id, AzureNames.GrafanaEditorRole, DashboardPublisher.PrincipalId, servicePrincipal: true),
            Grant("grafana-admin", Grafana.Id, AzureNames.GrafanaAdminRole,
                settings.GrafanaAdminObjectId is { } admin ? Output.Create(admin) : client.Apply(c => c.ObjectId), servicePrincipal: false),
        ];

        GrafanaUrl = Grafana.Properties.Apply(p => p.Endpoint);
        QueryEndpoint = Workspace.Metrics.Apply(m => m?.PrometheusQueryEndpoint ?? "");

        // The YAML carries the identities' client ids and the endpoints, known once Azure has them; building it is
        // plain data, and the ConfigGroup is created here, outside Apply.
        if (!settings.Reaches(WorkshopSteps.Observe))
        {
            // Workshop steps 1-4 build only the Azure side (seed 001 creates it with the cluster); the cluster side is step 5.
            RegisterOutputs(new Dictionary<string, object?> { ["grafanaUrl"] = GrafanaUrl, ["prometheusQueryEndpoint"] = QueryEndpoint });
            return;
        }

        var facts = Output.Tuple(MetricsReader.ClientId, QueryEndpoint, DashboardPublisher.ClientId, GrafanaUrl)
            .Apply(f => new MonitoringFacts(f.Item1, f.Item2, f.Item3, f.Item4));
        var inCluster = new ComponentResourceOptions { Parent = this, Provider = args.Provider };
        inCluster.DependsOn.Add(cluster.Cluster);
        inCluster.DependsOn.Add(Association);
        inCluster.DependsOn.Add(readerCredential);
        inCluster.DependsOn.Add(publisherCredential);
        foreach (var assignment in RoleAssignments)
        {
            inCluster.DependsOn.Add(assignment);
        }

        InCluster = new ConfigGroup($"{name}-in-cluster", new ConfigGroupArgs
        {
            Yaml = facts.Apply(f => LabManifest.MonitoringYaml(settings, f)),
        }, inCluster);

        // The key that signs Kiali's logins: random once, then kept in the stack's state as a secret, so the chart's
        // values, its ConfigMap and its Deployment are the same on every run (the chart would generate a new one).
        var signingKey = new RandomPassword($"{name}-kiali-signing-key", new RandomPasswordArgs
        {
            Length = Blueprint.Observability.Kiali.SigningKeyLength,
            Special = false,
        }, Child());
        var keySecret = Blueprint.Observability.Kiali.SigningKeySecret(Blueprint.Observability.Kiali.SigningKeyPlaceholder);
        KialiSigningKey = new KubeSecret($"{name}-kiali-signing-key", new KubeSecretArgs
        {
            Metadata = KubeArgs.Meta(keySecret.Metadata),
            Type = keySecret.Type,
            StringData = { [Blueprint.Observability.Kiali.SigningKeySecretKey] = Output.CreateSecret(signingKey.Result) },
        }, new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { InCluster } });

        Kiali = new HelmChart($"{name}-kiali", new HelmChartArgs
        {
            Chart = Blueprint.Observability.Kiali.Chart,
            Version = Blueprint.Observability.Kiali.ChartVersion,
            Name = Blueprint.Observability.Kiali.ReleaseName,
            Namespace = MonitoringManifest.Namespace,
            RepositoryOpts = new RepositoryOptsArgs { Repo = Blueprint.Observability.Kiali.ChartRepository },
            Values = GrafanaUrl.Apply(url => Blueprint.Observability.Kiali.ValuesTree(url).ToImmutableDictionary()),
        }, new ComponentResourceOptions { Parent = this, Provider = args.Provider, DependsOn = { InCluster, KialiSigningKey } });

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["grafanaUrl"] = GrafanaUrl,
            ["prometheusQueryEndpoint"] = QueryEndpoint,
        });
    }
}
