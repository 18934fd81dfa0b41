using IstioLab.Blueprint.Checks;
using IstioLab.Blueprint.Identity;
using IstioLab.Blueprint.Rendering;
using IstioLab.Blueprint.Settings;
using k8s;
using k8s.Models;

namespace IstioLab.Blueprint.Tests;

/// <summary>The identity check: its requests agree with Istio's semantics, and its script, run under /bin/sh against a fake gateway, says PASS or FAIL per property.</summary>
public sealed class IdentityCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
    private const string Ip = "20.50.60.70";

    private readonly string dir = Directory.CreateTempSubdirectory("istio-lab-identity-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static LabSettings Settings(params (string Key, string Value)[] more)
    {
        var config = new Dictionary<string, string?> { ["istio-lab:userAuth"] = "lab-issuer" };
        foreach (var (key, value) in more)
        {
            config[key] = value;
        }

        return LabSettings.Parse(config);
    }

    private static LabSettings Entra => Settings(("istio-lab:userAuth", "entra"), ("istio-lab:entraAudience", "api://shop"));

    private static TokenIssuer Issuer(LabSettings settings) => settings.UserAuth.Mode == UserAuthMode.LabIssuer
        ? UserIdentityManifest.LabIssuerOf(settings, LabIssuer.Jwks(TestKeys.Signing))
        : UserIdentityManifest.EntraOf(settings, "11111111-2222-3333-4444-555555555555");

    /// <summary>The tokens the Pulumi program puts in the check's Secret, minted the same way.</summary>
    private static Dictionary<string, string> Tokens(LabSettings settings)
    {
        var issuer = Issuer(settings);
        TokenClaims Claims(string subject, params string[] roles) => new(issuer.Issuer, issuer.Audience, subject, roles, Now.AddHours(-1), Now.AddHours(1));
        var all = new Dictionary<string, string>
        {
            [IdentityCheck.ForgedToken] = LabIssuer.Mint(TestKeys.Forger, Claims(LabIssuer.ForgedSubject, GatewayAccess.AdminRole)),
            [IdentityCheck.CustomerToken] = LabIssuer.Mint(TestKeys.Signing, Claims(LabIssuer.CustomerSubject)),
            [IdentityCheck.AdminToken] = LabIssuer.Mint(TestKeys.Signing, Claims(LabIssuer.AdminSubject, GatewayAccess.AdminRole)),
        };
        return IdentityCheck.TokenNames(settings).ToDictionary(n => n, n => all[n]);
    }

    /// <summary>What Istio at the gateway answers each probe of a lab-issuer stack: let through (the store's 200 or, for an order, 201), 401 or 403.</summary>
    private static string IstioAnswer(LabSettings settings, IdentityProbe probe)
    {
        var loaded = LabManifest.Load(LabManifest.ToYaml(UserIdentityManifest.Build(settings, Issuer(settings))));
        var token = probe.Token == IdentityCheck.NoToken ? null : Tokens(settings)[probe.Token];
        var status = GatewayEvaluator.Evaluate(loaded.OfType<RequestAuthentication>().Single(), loaded.OfType<Security.AuthorizationPolicy>(), probe.Method, probe.Path, token, Now);
        return status == GatewayEvaluator.Allowed ? (probe.Method == "POST" ? "201" : "200") : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static TheoryData<string> LabStacks => new() { "all-in-one", "quickstart" };

    [Theory]
    [MemberData(nameof(LabStacks))]
    public void EveryProbesExpectedStatusIsWhatIstioAnswersAtTheGateway(string variant)
    {
        var settings = Settings(("istio-lab:storeVariant", variant));

        foreach (var probe in IdentityCheck.Probes(settings))
        {
            var answer = IstioAnswer(settings, probe);
            Assert.True(Matches(probe.Expect, answer), $"{probe.Name}: expects {probe.Expect}, Istio answers {answer}");
        }
    }

    [Fact]
    public void TheLabIssuerCheckCoversAnonymousForgedCustomerAndAdmin()
    {
        var probes = IdentityCheck.Probes(Settings());

        Assert.Equal(["anonymous-browse", "anonymous-order", "forged-browse", "forged-order", "customer-order", "customer-admin", "admin-admin"], probes.Select(p => p.Name));
        Assert.Equal(("GET", "/", "200"), (probes[0].Method, probes[0].Path, probes[0].Expect));
        Assert.Equal(("POST", "/api/orders", "403"), (probes[1].Method, probes[1].Path, probes[1].Expect));
        Assert.Equal(("GET", "/api/makeline/order/fetch", "200"), (probes[6].Method, probes[6].Path, probes[6].Expect));
    }

    [Fact]
    public void WithEntraTheCheckProvesOnlyWhatNeedsNoUsersTokenAndSaysSo()
    {
        var settings = Entra;

        Assert.Equal(["anonymous-browse", "anonymous-order", "forged-browse", "forged-order"], IdentityCheck.Probes(settings).Select(p => p.Name));
        Assert.Equal([IdentityCheck.ForgedToken], IdentityCheck.TokenNames(settings));
        Assert.Contains("holds no user's token", IdentityCheck.Definition(settings).Proves, StringComparison.Ordinal);
        var (code, output, _) = Run(settings, probe => probe.Expect == "200" ? "200" : probe.Expect);
        Assert.Equal(0, code);
        Assert.Contains("NOTE identity: with Entra ID the check holds no user's token", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryPropertyPassesWhenTheGatewayAnswersAsIstioWould()
    {
        var settings = Settings();

        var (code, output, _) = Run(settings, p => IstioAnswer(settings, p));

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(IdentityCheck.Probes(settings).Select(p => $"PASS identity {p.Name}:"), lines.Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)] + ":"));
        Assert.Contains("PASS identity customer-order: POST /api/orders with token 'customer' answered 201", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnonymousOrderLetThroughFailsThatPropertyAndTheCheck()
    {
        var settings = Settings();

        var (code, output, _) = Run(settings, p => p.Name == "anonymous-order" ? "201" : IstioAnswer(settings, p));

        Assert.Equal(1, code);
        Assert.Contains("FAIL identity anonymous-order: POST /api/orders with token 'none' answered '201', not 403, after 4 attempts (the request went through: does the AuthorizationPolicy select the gateway's pods", output, StringComparison.Ordinal);
        Assert.Equal(6, output.Split('\n').Count(l => l.StartsWith("PASS identity ", StringComparison.Ordinal)));
    }

    [Fact]
    public void ARejectedCustomerTokenFailsWithTheTokenHint()
    {
        var settings = Settings();

        var (code, output, _) = Run(settings, p => p.Token == IdentityCheck.CustomerToken ? "401" : IstioAnswer(settings, p));

        Assert.Equal(1, code);
        Assert.Contains("FAIL identity customer-order: POST /api/orders with token 'customer' answered '401', not 2??", output, StringComparison.Ordinal);
        Assert.Contains("the gateway rejected the token", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbesAreRetriedUntilTheyPassAndAnOrderIsPlacedOnce()
    {
        var settings = Settings();

        var (code, output, calls) = Run(settings, p => "000," + IstioAnswer(settings, p));

        Assert.Equal(0, code);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        var customer = Tokens(settings)[IdentityCheck.CustomerToken];
        Assert.Equal(2, calls.Count(c => c.StartsWith($"POST /api/orders {customer}", StringComparison.Ordinal)));
    }

    [Fact]
    public void TokensReachTheScriptFromTheMountedSecretAndNeverFromTheJobSpec()
    {
        var settings = Settings();
        var tokens = Tokens(settings);
        var job = IdentityCheck.Job(settings, Issuer(settings), Ip, null);
        var yaml = KubernetesYaml.Serialize(job);

        Assert.All(tokens.Values, t => Assert.DoesNotContain(t, yaml, StringComparison.Ordinal));
        Assert.DoesNotContain("eyJ", yaml, StringComparison.Ordinal);
        var pod = job.Spec.Template.Spec;
        Assert.Equal(IdentityCheck.SecretName, Assert.Single(pod.Volumes).Secret.SecretName);
        Assert.Equal(IdentityCheck.TokenDirectory, Assert.Single(pod.Containers[0].VolumeMounts).MountPath);
        Assert.Equal(IdentityCheck.TokenDirectory, pod.Containers[0].Env.Single(e => e.Name == "TOKEN_DIR").Value);
        var secret = IdentityCheck.TokenSecret(settings, tokens);
        Assert.Equal((settings.OutsideNamespace, job.Metadata.NamespaceProperty), (secret.Metadata.NamespaceProperty, settings.OutsideNamespace));
        Assert.Equal(tokens, secret.StringData);
    }

    [Fact]
    public void TheCheckIsBoundedAndWaitsLongerThanItsWorstCase()
    {
        var settings = Settings();
        var job = IdentityCheck.Job(settings, Issuer(settings), Ip, null);
        var worst = IdentityCheck.Attempts * ((IdentityCheck.Probes(settings).Count * WorkshopChecks.RequestTimeoutSeconds) + IdentityCheck.IntervalSeconds);

        Assert.Equal(WorkshopChecks.BackoffLimit, job.Spec.BackoffLimit);
        Assert.True(job.Spec.ActiveDeadlineSeconds > worst, $"deadline {job.Spec.ActiveDeadlineSeconds} s, worst case {worst} s");
        Assert.True(long.Parse(job.Metadata.Annotations["pulumi.com/timeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture) > job.Spec.ActiveDeadlineSeconds);
        Assert.Equal("false", job.Spec.Template.Metadata.Labels["sidecar.istio.io/inject"]);
        Assert.Equal(settings.OutsideNamespace, job.Metadata.NamespaceProperty);
    }

    [Fact]
    public void WithSelfSignedHttpsTheCheckCallsTheDnsNameAndTrustsTheLabCa()
    {
        var settings = Settings(("istio-lab:https", "self-signed"));
        var job = IdentityCheck.Job(settings, Issuer(settings), Ip, "CA PEM");

        Assert.Equal(settings.Https.StoreUrl.TrimEnd('/'), job.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "TARGET_URL").Value);
        Assert.Contains(job.Spec.Template.Spec.Volumes, v => v.ConfigMap?.Name == WorkshopChecks.CaConfigMapName);
        var (code, _, calls) = Run(settings, p => IstioAnswer(settings, p));
        Assert.Equal(0, code);
        Assert.All(calls, c => Assert.Contains($"--cacert {WorkshopChecks.CaDirectory}/{WorkshopChecks.CaFileName}", c, StringComparison.Ordinal));
    }

    [Fact]
    public void TheCheckRunsOnlyWithChecksOnAndUserIdentityOn()
    {
        var placeholders = new Dictionary<string, string> { ["forged"] = "x", ["customer"] = "x", ["admin"] = "x" };

        Assert.Equal(2, IdentityCheck.Build(Settings(), Issuer(Settings()), placeholders, Ip, null).Count);
        Assert.Empty(IdentityCheck.Build(Settings(("istio-lab:checks", "false")), Issuer(Settings()), placeholders, Ip, null));
        Assert.Empty(IdentityCheck.Build(LabSettings.Defaults, Issuer(Settings()), placeholders, Ip, null));
    }

    private static bool Matches(string expect, string code) => expect == "2??" ? code.StartsWith('2') && code.Length == 3 : expect == code;

    /// <summary>
    /// Runs the Job's command under /bin/sh with its environment, the tokens as files (as the Secret volume mounts them)
    /// and a fake curl that answers each probe with <paramref name="answer"/>'s comma-separated statuses, one per call,
    /// the last repeating. Each call is logged as "METHOD PATH TOKEN ARGS".
    /// </summary>
    private (int Code, string Output, IReadOnlyList<string> Calls) Run(LabSettings settings, Func<IdentityProbe, string> answer)
    {
        var tokens = Tokens(settings);
        var tokenDir = Directory.CreateDirectory(Path.Combine(dir, "tokens")).FullName;
        foreach (var (name, value) in tokens)
        {
            File.WriteAllText(Path.Combine(tokenDir, name), value);
        }

        var job = IdentityCheck.Job(settings, Issuer(settings), Ip, "CA PEM");
        var container = job.Spec.Template.Spec.Containers.Single();
        var baseUrl = container.Env.Single(e => e.Name == "TARGET_URL").Value;
        File.WriteAllLines(Path.Combine(dir, "answers"), IdentityCheck.Probes(settings)
            .Select(p => $"{p.Method} {p.Path} {(p.Token == IdentityCheck.NoToken ? "none" : tokens[p.Token])} {answer(p)}"));
        var fake = Path.Combine(dir, "curl");
        File.WriteAllText(fake, """
            #!/bin/sh
            all="$*"; method=GET; token=none; url=""
            while [ $# -gt 0 ]; do
              case "$1" in
                -X) method=$2; shift ;;
                -H) case "$2" in "Authorization: Bearer "*) token=${2#Authorization: Bearer } ;; esac; shift ;;
                -o|-w|--max-time|--data|--cacert) shift ;;
                -*) ;;
                *) url=$1 ;;
              esac
              shift
            done
            path=${url#"$FAKE_BASE"}
            echo "$method $path $token $all" >> "$FAKE_DIR/curl.log"
            n=$(grep -n -F "$method $path $token " "$FAKE_DIR/answers" | head -n 1 | cut -d: -f1)
            [ -n "$n" ] || { printf '000'; exit 7; }
            line=$(sed -n "${n}p" "$FAKE_DIR/answers"); codes=${line##* }
            count=$(( $(cat "$FAKE_DIR/count.$n" 2>/dev/null || echo 0) + 1 )); echo "$count" > "$FAKE_DIR/count.$n"
            code=$(printf '%s' "$codes" | tr ',' '\n' | sed -n "${count}p"); [ -n "$code" ] || code=$(printf '%s' "$codes" | tr ',' '\n' | tail -n 1)
            printf '%s' "$code"
            """.Replace("\r", "", StringComparison.Ordinal));
        var (exitCode, output) = CheckScriptRunner.RunScript(container, fake, new Dictionary<string, string>
        {
            ["TOKEN_DIR"] = tokenDir,
            ["FAKE_BASE"] = baseUrl,
        });
        var log = Path.Combine(dir, "curl.log");
        return (exitCode, output, File.Exists(log) ? File.ReadAllLines(log) : []);
    }
}
