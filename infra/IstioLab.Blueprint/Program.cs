using IstioLab.Blueprint.Rendering;

return RenderCommand.Run(args, Console.Out, Console.Error, Environment.CurrentDirectory);
