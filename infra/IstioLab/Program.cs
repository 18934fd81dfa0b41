using IstioLab;
using Pulumi;

// Read stack config once into validated settings, then build the whole graph. A config error ends the run
// with the blueprint's message before any resource is registered. The stack's options tag every Azure resource.
var program = new LabProgram();
return await Deployment.RunAsync(() => Task.FromResult(program.Run()), program.StackOptions);
