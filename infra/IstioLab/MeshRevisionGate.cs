using System.Net.Http.Headers;
using IstioLab.Blueprint.Platform;
using IstioLab.Blueprint.Settings;
using Pulumi;
using Pulumi.AzureNative.Authorization;

namespace IstioLab;

/// <summary>Reads one Azure Resource Manager resource as JSON: the one seam the mock tests replace.</summary>
public interface IArmReader
{
    /// <summary>GETs <paramref name="url"/> with <paramref name="bearerToken"/>; a failure (no permission, no network) throws.</summary>
    Task<string> GetAsync(Uri url, string bearerToken, CancellationToken cancellationToken);
}

/// <summary>The real <see cref="IArmReader"/>: one HTTPS GET.</summary>
public sealed class HttpArmReader : IArmReader
{
    private static readonly HttpClient Client = new();

    public async Task<string> GetAsync(Uri url, string bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What <see cref="MeshRevisionGate.VerifyAsync"/> found.</summary>
public enum RevisionGateResult
{
    /// <summary>No revision is configured: the add-on installs its default, there is nothing to check.</summary>
    NothingToCheck,

    /// <summary>Every configured revision and upgrade is one the location offers.</summary>
    Offered,

    /// <summary>The profile could not be read; a warning says so, and only the offline rule was applied.</summary>
    Unavailable,
}

/// <summary>
/// Before the graph is built, checks the configured revisions against what Azure offers in the stack's location today:
/// ARM's mesh revision profile (what <c>az aks mesh get-revisions</c> prints), read with the deploying principal's
/// token from <c>azure-native:authorization:getClientToken</c> on the ARM endpoint of the provider's cloud. A revision
/// or upgrade outside the profile ends the run before any resource is registered, with the offered ones listed. If
/// the profile cannot be read, a warning says so and the run goes on with the offline rule alone.
/// </summary>
public static class MeshRevisionGate
{
    /// <summary>How long the token and the read may take together before the check gives up (and warns).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <param name="settings">The validated settings (the offline rule has passed).</param>
    /// <param name="arm">Reads the profile.</param>
    /// <param name="environment">The azure-native provider's <c>environment</c> config; null for the public cloud.</param>
    public static async Task<RevisionGateResult> VerifyAsync(LabSettings settings, IArmReader arm, string? environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(arm);
        if (settings.MeshRevisions.Count == 0)
        {
            return RevisionGateResult.NothingToCheck;
        }

        var cloud = string.IsNullOrWhiteSpace(environment) ? MeshRevisionProfileApi.DefaultEnvironment : environment.Trim();
        if (!MeshRevisionProfileApi.ArmEndpoints.TryGetValue(cloud, out var endpoint))
        {
            Warn(settings, $"{MeshRevisionProfileApi.EnvironmentKey} '{cloud}' is not one of {string.Join(", ", MeshRevisionProfileApi.ArmEndpoints.Keys)}");
            return RevisionGateResult.Unavailable;
        }

        MeshRevisionProfile profile;
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            var subscription = GetClientConfig.Invoke().Apply(c => c.SubscriptionId);
            var token = GetClientToken.Invoke().Apply(t => t.Token);
            var (subscriptionId, bearer) = await ValueAsync(Output.Tuple(subscription, token), timeout.Token).ConfigureAwait(false);
            var json = await arm.GetAsync(MeshRevisionProfileApi.Url(endpoint, subscriptionId, settings.Location), bearer, timeout.Token).ConfigureAwait(false);
            profile = MeshRevisionProfile.Parse(json);
        }
#pragma warning disable CA1031 // Any failure to read the profile (HTTP, timeout, shape) must fall back, never fail the preview.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Warn(settings, e.Message);
            return RevisionGateResult.Unavailable;
        }

        var errors = MeshRevisionOffer.Check(settings, profile);
        if (errors.Count > 0)
        {
            throw new RunException(new LabSettingsException(errors).Message
                + Environment.NewLine + $"  (checked against Azure's mesh revision profile for {settings.Location}; nothing was created or changed)");
        }

        return RevisionGateResult.Offered;
    }

    private static void Warn(LabSettings settings, string why) => Log.Warn(
        $"Could not read the Istio revisions Azure offers in {settings.Location} ({why}); only the offline revision rule was checked. " +
        $"Check by hand: `az aks mesh get-revisions --location {settings.Location} -o table`.");

    /// <summary>The value of a known output; a timeout when it never becomes known.</summary>
    private static async Task<T> ValueAsync<T>(Output<T> output, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = output.Apply(value =>
        {
            completion.TrySetResult(value);
            return value;
        });
        using (cancellationToken.Register(() => completion.TrySetException(new TimeoutException("the subscription or the ARM token did not arrive in time"))))
        {
            return await completion.Task.ConfigureAwait(false);
        }
    }
}
