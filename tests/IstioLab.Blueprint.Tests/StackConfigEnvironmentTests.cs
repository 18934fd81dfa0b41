using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Tests;

/// <summary>The stack config as the Pulumi CLI passes it: how the program sees keys it does not read.</summary>
public class StackConfigEnvironmentTests
{
    [Fact]
    public void EveryLabKeyIsListedAndOtherNamespacesAreLeftOut()
    {
        var keys = StackConfigEnvironment.LabKeys(
            """{"istio-lab:istioRevison":"asm-1-30","istio-lab:nodeCount":"2","azure-native:location":"westeurope"}""", null);

        Assert.Equal(["istio-lab:istioRevison", "istio-lab:nodeCount"], keys.Keys);
        Assert.Equal("asm-1-30", keys["istio-lab:istioRevison"]);
    }

    [Fact]
    public void TheOlderConfigSpellingIsCleaned()
    {
        var keys = StackConfigEnvironment.LabKeys("""{"istio-lab:config:checks":"false"}""", null);

        Assert.Equal("false", keys["istio-lab:checks"]);
        Assert.Equal("istio-lab:checks", StackConfigEnvironment.CleanKey("istio-lab:config:checks"));
        Assert.Equal("istio-lab:configured", StackConfigEnvironment.CleanKey("istio-lab:configured"));
    }

    [Fact]
    public void ASecretKeysValueIsNeverRepeated()
    {
        var keys = StackConfigEnvironment.LabKeys("""{"istio-lab:rabbitmqPasword":"hunter2"}""", """["istio-lab:rabbitmqPasword"]""");

        Assert.Equal(StackConfigEnvironment.Redacted, keys["istio-lab:rabbitmqPasword"]);
        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(keys.ToDictionary(p => p.Key, p => (string?)p.Value)));
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMisspeltKeyIsRefusedWithTheKnownKeysNamed()
    {
        var keys = StackConfigEnvironment.LabKeys("""{"istio-lab:istioRevison":"asm-1-30"}""", null);

        var error = Assert.Throws<LabSettingsException>(() => LabSettings.Parse(keys.ToDictionary(p => p.Key, p => (string?)p.Value)));
        var problem = Assert.Single(error.Errors);
        Assert.Equal("istio-lab:istioRevison", problem.Key);
        Assert.Contains("istio-lab:istioRevision", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void NoConfigMeansNoKeys()
    {
        Assert.Empty(StackConfigEnvironment.LabKeys(null, null));
        Assert.Empty(StackConfigEnvironment.LabKeys("{}", "[]"));
    }
}
