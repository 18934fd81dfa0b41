using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

public class UserAuthSettingsTests
{
    private static Dictionary<string, string?> Config(params (string Key, string? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    private static LabSettingsException Refused(params (string Key, string? Value)[] entries) =>
        Assert.Throws<LabSettingsException>(() => LabSettings.Parse(Config(entries)));

    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    [Fact]
    public void UserIdentityIsOffByDefault()
    {
        Assert.Equal(UserAuthOptions.Disabled, LabSettings.Defaults.UserAuth);
        Assert.False(LabSettings.Defaults.UserAuth.Enabled);
        Assert.Equal("off", LabSettings.Defaults.UserAuthName);
    }

    [Theory]
    [InlineData("off", UserAuthMode.Off)]
    [InlineData("lab-issuer", UserAuthMode.LabIssuer)]
    public void EachModeWithoutEntraKeysIsReadFromItsConfigSpelling(string text, UserAuthMode mode)
    {
        Assert.Equal(new UserAuthOptions(mode, null, null), LabSettings.Parse(Config(("istio-lab:userAuth", text))).UserAuth);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("entra-id")]
    [InlineData("Lab-Issuer")]
    public void AnUnknownModeIsRefusedNamingTheKeyValueAndAllowedValues(string text)
    {
        var error = Assert.Single(Refused(("istio-lab:userAuth", text)).Errors);

        Assert.Equal("istio-lab:userAuth", error.Key);
        Assert.Equal(text, error.Value);
        Assert.Contains("off, lab-issuer, entra", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EntraReadsTheTenantLowercasedAndTheAudience()
    {
        var auth = LabSettings.Parse(Config(("istio-lab:userAuth", "entra"), ("istio-lab:entraTenantId", Tenant.ToUpperInvariant()), ("istio-lab:entraAudience", "api://istio-lab-store"))).UserAuth;

        Assert.Equal(new UserAuthOptions(UserAuthMode.Entra, Tenant, "api://istio-lab-store"), auth);
    }

    [Fact]
    public void EntraWithoutATenantLeavesItToTheDeployersTenant()
    {
        var auth = LabSettings.Parse(Config(("istio-lab:userAuth", "entra"), ("istio-lab:entraAudience", "6e1c2b3a-0000-4000-8000-000000000001"))).UserAuth;

        Assert.Null(auth.EntraTenantId);
        Assert.Equal("6e1c2b3a-0000-4000-8000-000000000001", auth.EntraAudience);
    }

    [Fact]
    public void EntraNeedsAnAudience()
    {
        var error = Assert.Single(Refused(("istio-lab:userAuth", "entra")).Errors);

        Assert.Equal("istio-lab:entraAudience", error.Key);
        Assert.Contains("required with istio-lab:userAuth=entra", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contoso.onmicrosoft.com")]
    [InlineData("72f988bf86f141af91ab2d7cd011db47")]
    [InlineData("{72f988bf-86f1-41af-91ab-2d7cd011db47}")]
    public void ATenantThatIsNotAGuidIsRefused(string tenant)
    {
        var error = Assert.Single(Refused(("istio-lab:userAuth", "entra"), ("istio-lab:entraTenantId", tenant), ("istio-lab:entraAudience", "api://shop")).Errors);

        Assert.Equal("istio-lab:entraTenantId", error.Key);
        Assert.Contains("GUID", error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("my store")]
    [InlineData("store")]
    [InlineData("http://shop")]
    public void AnAudienceThatIsNeitherAClientIdNorAnApplicationIdUriIsRefused(string audience)
    {
        var error = Assert.Single(Refused(("istio-lab:userAuth", "entra"), ("istio-lab:entraAudience", audience)).Errors);

        Assert.Equal("istio-lab:entraAudience", error.Key);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("lab-issuer")]
    public void TheEntraKeysAreRefusedOutsideEntraModeAllAtOnce(string mode)
    {
        var errors = Refused(("istio-lab:userAuth", mode), ("istio-lab:entraTenantId", Tenant), ("istio-lab:entraAudience", "api://shop")).Errors;

        Assert.Equal(["istio-lab:entraTenantId", "istio-lab:entraAudience"], errors.Select(e => e.Key));
        Assert.All(errors, e => Assert.Contains("applies only with istio-lab:userAuth=entra", e.Problem, StringComparison.Ordinal));
    }

    [Fact]
    public void UserAuthErrorsAreReportedWithTheOtherSettingsErrors()
    {
        var errors = Refused(("istio-lab:nodeCount", "0"), ("istio-lab:userAuth", "entra"), ("istio-lab:entraTenantId", "nope")).Errors;

        Assert.Equal(["istio-lab:nodeCount", "istio-lab:entraTenantId", "istio-lab:entraAudience"], errors.Select(e => e.Key));
    }
}
