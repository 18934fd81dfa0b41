using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

public class AuthorizationSettingsTests
{
    private static LabSettings Parse(string? value) =>
        LabSettings.Parse(new Dictionary<string, string?> { ["istio-lab:authorization"] = value });

    [Fact]
    public void AuthorizationIsOpenByDefaultAsInTheWorkshop()
    {
        Assert.Equal(AuthorizationMode.Open, LabSettings.Defaults.Authorization);
        Assert.Equal("open", ConfigKeys.Authorization.Default);
        Assert.Equal(AuthorizationMode.Open, Parse(null).Authorization);
        Assert.Equal(AuthorizationMode.Open, Parse(" ").Authorization);
    }

    [Theory]
    [InlineData("open", AuthorizationMode.Open)]
    [InlineData("dry-run", AuthorizationMode.DryRun)]
    [InlineData("allow-list", AuthorizationMode.AllowList)]
    public void EveryAuthorizationModeIsReadByItsConfigName(string value, AuthorizationMode mode)
    {
        var settings = Parse(value);

        Assert.Equal(mode, settings.Authorization);
        Assert.Equal(value, settings.AuthorizationName);
    }

    [Theory]
    [InlineData("allowlist")]
    [InlineData("Allow-List")]
    [InlineData("deny")]
    public void AnUnknownAuthorizationModeIsRejectedNamingKeyValueAndTheAllowedValues(string value)
    {
        var e = Assert.Throws<LabSettingsException>(() => Parse(value));

        var error = Assert.Single(e.Errors);
        Assert.Equal("istio-lab:authorization", error.Key);
        Assert.Equal(value, error.Value);
        Assert.Contains("open, dry-run, allow-list", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAuthorizationKeyIsDeclaredAsTextAndItsDescriptionNamesEveryMode()
    {
        Assert.Contains(ConfigKeys.Authorization, ConfigKeys.All);
        Assert.Equal(ConfigValueType.Text, ConfigKeys.Authorization.Type);
        Assert.All(LabSettings.AuthorizationModeNames.Keys, name => Assert.Contains(name, ConfigKeys.Authorization.Description, StringComparison.Ordinal));
    }
}
