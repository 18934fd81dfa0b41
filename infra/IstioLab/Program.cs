using IstioLab;
using Pulumi;

// Read stack config once into validated settings, check the revisions against what Azure offers, then build the
// whole graph. A config error or a revision Azure does not offer ends the run with the blueprint's message before
// any resource is registered. The stack's options tag every Azure resource.
var program = new LabProgram();
return await Deployment.RunAsync(() => program.RunAsync(new HttpArmReader()), program.StackOptions);
