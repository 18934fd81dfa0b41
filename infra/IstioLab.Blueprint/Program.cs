using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Rendering;

return args.Length > 0 && args[0] == MintTokenCommand.Name
    ? MintTokenCommand.Run(args, Console.In, Console.Out, Console.Error, Environment.CurrentDirectory, DateTimeOffset.UtcNow)
    : RenderCommand.Run(args, Console.Out, Console.Error, Environment.CurrentDirectory);
