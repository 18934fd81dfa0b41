using System.Globalization;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;

namespace IstioLab.Blueprint.Identity;

/// <summary>
/// <c>mint-token --stack NAME --subject NAME [--role ROLE ...] [--lifetime-minutes N]</c>: reads the lab issuer's
/// private key (PEM) from stdin, and prints one RS256 token for the stack's issuer and audience, issued now. The key
/// comes from the stack's secret output, so the whole is one command:
/// <c>pulumi stack output labIssuerSigningKey --show-secrets | dotnet run --project infra/IstioLab.Blueprint -- mint-token --stack dev --subject alice</c>.
/// </summary>
public static class MintTokenCommand
{
    public const string Name = "mint-token";

    public const string Usage = """
        usage: IstioLab.Blueprint mint-token --stack NAME --subject NAME [--role ROLE ...] [--lifetime-minutes N]

        Reads the lab issuer's private key (PEM) from stdin and prints one token for the stack NAME
        (istio-lab:userAuth=lab-issuer), issued now, valid for N minutes (default 60, at most 43200):
          pulumi stack output labIssuerSigningKey --show-secrets \
            | dotnet run --project infra/IstioLab.Blueprint -- mint-token --stack dev --subject alice --role Store.Admin
        """;

    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, string workingDirectory, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        string? stack = null;
        string? subject = null;
        var roles = new List<string>();
        var lifetime = LabIssuer.DefaultMintLifetime;
        for (var i = 1; i < args.Count; i++)
        {
            if (i + 1 >= args.Count)
            {
                stderr.WriteLine($"error: {args[i]} needs a value.");
                stderr.WriteLine(Usage);
                return RenderCommand.UsageOrConfigError;
            }

            var value = args[++i];
            switch (args[i - 1])
            {
                case "--stack":
                    stack = value;
                    break;
                case "--subject":
                    subject = value;
                    break;
                case "--role":
                    roles.Add(value);
                    break;
                case "--lifetime-minutes":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes < 1
                        || TimeSpan.FromMinutes(minutes) > LabIssuer.MaxMintLifetime)
                    {
                        stderr.WriteLine($"error: --lifetime-minutes must be a whole number from 1 to {LabIssuer.MaxMintLifetime.TotalMinutes}.");
                        return RenderCommand.UsageOrConfigError;
                    }

                    lifetime = TimeSpan.FromMinutes(minutes);
                    break;
                default:
                    stderr.WriteLine($"error: unknown option '{args[i - 1]}'.");
                    stderr.WriteLine(Usage);
                    return RenderCommand.UsageOrConfigError;
            }
        }

        if (string.IsNullOrWhiteSpace(stack) || string.IsNullOrWhiteSpace(subject))
        {
            stderr.WriteLine("error: --stack NAME and --subject NAME are required.");
            stderr.WriteLine(Usage);
            return RenderCommand.UsageOrConfigError;
        }

        try
        {
            var config = StackConfig.Load(RenderCommand.FindProjectRoot(workingDirectory), stack);
            var settings = LabSettings.Parse(config);
            if (settings.UserAuth.Mode != UserAuthMode.LabIssuer)
            {
                stderr.WriteLine($"error: the stack {stack} has {ConfigKeys.UserAuth.FullName}={settings.UserAuthName}: only the lab issuer's tokens are minted here (Entra ID issues its own).");
                return RenderCommand.UsageOrConfigError;
            }

            var pem = stdin.ReadToEnd();
            if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                stderr.WriteLine("error: no private key on stdin: pipe `pulumi stack output labIssuerSigningKey --show-secrets` into this command.");
                return RenderCommand.UsageOrConfigError;
            }

            var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
            var claims = new TokenClaims(LabIssuer.IssuerName(settings), LabIssuer.AudienceName(settings), subject, roles, issuedAt, issuedAt + lifetime);
            stdout.WriteLine(LabIssuer.Mint(pem, claims));
            return RenderCommand.Ok;
        }
        catch (Exception e) when (e is LabSettingsException or StackConfigException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            stderr.WriteLine("error: " + e.Message);
            return RenderCommand.UsageOrConfigError;
        }
    }
}
