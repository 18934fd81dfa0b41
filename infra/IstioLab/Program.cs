using IstioLab;
using Pulumi;

// Read stack config once into validated settings, then build the whole graph. A config error ends the run
// with the blueprint's message before any resource is registered.
return await Deployment.RunAsync(() =>
{
    var settings = StackSettings.Read();
    var rabbitMqPassword = new Config(IstioLab.Blueprint.Settings.ConfigKeys.ProjectNamespace).GetSecret("rabbitmqPassword");
    return Lab.Build(settings, rabbitMqPassword);
});
