using IstioLab;
using Pulumi;

// Read stack config once into validated settings, check the revisions against what Azure offers, then build the
// whole graph. A config error or a revision Azure does not offer ends the run with the blueprint's message before
// any resource is registered.
return await Deployment.RunAsync(async () =>
{
    var settings = StackSettings.Read();
    var rabbitMqPassword = new Config(IstioLab.Blueprint.Settings.ConfigKeys.ProjectNamespace).GetSecret("rabbitmqPassword");
    return await Lab.BuildAsync(settings, rabbitMqPassword, new HttpArmReader());
});
