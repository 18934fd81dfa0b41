using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Observability;

/// <summary>
/// The Azure names of the observability resources, derived from the settings and fitted to each type's rules, so a
/// second preview shows no change. Role-assignment names are name-based GUIDs (RFC 9562 version 5) of what they
/// grant and the subscription, so they are stable too and never collide between stacks or subscriptions of a tenant.
/// </summary>
public static class AzureNames
{
    /// <summary>Built-in role ids (the same in every tenant).</summary>
    public const string MonitoringDataReaderRole = "b0d8363b-8ddd-447d-831f-62ca05bff136";
    public const string GrafanaAdminRole = "22926164-76b3-42b3-bc55-97df8dab3e41";
    public const string GrafanaEditorRole = "a79a5197-3a5c-4973-a920-486035ffd60f";

    public const int WorkspaceMaxLength = 44;
    public const int DataCollectionEndpointMaxLength = 44;
    public const int DataCollectionRuleMaxLength = 64;
    public const int GrafanaMaxLength = 23;

    /// <summary>The Azure Monitor workspace (Microsoft.Monitor/accounts): 4-44 letters, digits and '-'.</summary>
    public static string Workspace(LabSettings settings) => Fit($"{Cluster(settings)}-amw", WorkspaceMaxLength);

    /// <summary>What Microsoft's onboarding templates call the endpoint, rule and association: <c>MSProm-&lt;location&gt;-&lt;cluster&gt;</c>.</summary>
    public static string DataCollectionEndpoint(LabSettings settings) => Fit(MsProm(settings), DataCollectionEndpointMaxLength);

    public static string DataCollectionRule(LabSettings settings) => Fit(MsProm(settings), DataCollectionRuleMaxLength);

    public static string DataCollectionRuleAssociation(LabSettings settings) => Fit(MsProm(settings), DataCollectionRuleMaxLength);

    public static string NodeRuleGroup(LabSettings settings) => $"NodeRecordingRulesRuleGroup-{Cluster(settings)}";

    public static string KubernetesRuleGroup(LabSettings settings) => $"KubernetesRecordingRulesRuleGroup-{Cluster(settings)}";

    /// <summary>The UX group's name as Microsoft's onboarding template spells it, spaces included (Azure/prometheus-collector AddonBicepTemplate/FullAzureMonitorMetricsProfile.bicep).</summary>
    public static string UxRuleGroup(LabSettings settings) => $"UXRecordingRulesRuleGroup - {Cluster(settings)}";

    /// <summary>Managed Grafana: 2-23 letters, digits and '-', starting with a letter and ending with a letter or digit.</summary>
    public static string Grafana(LabSettings settings) => Fit("grafana-" + Cluster(settings), GrafanaMaxLength);

    /// <summary>The user-assigned identity the metrics proxy signs in as (workload identity).</summary>
    public static string MetricsReaderIdentity(LabSettings settings) => Fit($"{Cluster(settings)}-metrics-reader", 128);

    /// <summary>The user-assigned identity the dashboard Job signs in to Grafana as.</summary>
    public static string DashboardPublisherIdentity(LabSettings settings) => Fit($"{Cluster(settings)}-dashboard-publisher", 128);

    /// <summary>
    /// A stable GUID naming one role assignment of this stack: what it grants, where, and in which subscription.
    /// Role-assignment names must be unique in the whole Entra tenant, even when their scopes differ ("Azure docs
    /// articles/role-based-access-control/role-assignments.md"), so the same stack names in two subscriptions of one
    /// tenant must not give the same GUID. The principal is left out: a new principal replaces the assignment under
    /// the same name, which every role assignment of the lab does by deleting first.
    /// </summary>
    public static string RoleAssignment(LabSettings settings, string subscriptionId, string purpose)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        return DeterministicGuid.V5(DeterministicGuid.UrlNamespace,
            $"{subscriptionId.ToLowerInvariant()}/{settings.Location}/{settings.ResourceGroupName}/{settings.ClusterName}/{purpose}").ToString("D");
    }

    private static string MsProm(LabSettings settings) => $"MSProm-{settings.Location}-{Cluster(settings)}";

    /// <summary>The cluster name with '_' (which several of these types refuse) as '-'.</summary>
    private static string Cluster(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ClusterName.Replace('_', '-');
    }

    /// <summary>Cut to <paramref name="max"/> characters without ending on '-'.</summary>
    private static string Fit(string name, int max) => (name.Length <= max ? name : name[..max]).TrimEnd('-');
}
