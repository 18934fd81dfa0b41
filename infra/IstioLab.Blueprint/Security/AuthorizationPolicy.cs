using IstioLab.Blueprint.Mesh;

namespace IstioLab.Blueprint.Security;

// The AuthorizationPolicy fields the lab sets, named as the Istio API names them (security.istio.io/v1). Unset
// fields stay null and are not serialized: an AuthorizationPolicy with nothing set renders as `spec: {}`, which
// allows nothing.

public sealed class AuthorizationPolicy : IstioObject<AuthorizationPolicySpec>
{
    public AuthorizationPolicy()
    {
        ApiVersion = ApiVersionValue;
        Kind = KindValue;
    }

    public const string Group = "security.istio.io";
    public const string ApiVersionValue = Group + "/v1";
    public const string KindValue = "AuthorizationPolicy";

    /// <summary>On a policy: evaluate it and log the result, but never enforce it.</summary>
    public const string DryRunAnnotation = "istio.io/dry-run";
}

public sealed class AuthorizationPolicySpec
{
    /// <summary>The workloads the policy applies to; null: every workload in the namespace.</summary>
    public WorkloadSelector? Selector { get; set; }

    /// <summary>ALLOW, DENY, AUDIT or CUSTOM; null means ALLOW.</summary>
    public string? Action { get; set; }

    /// <summary>A request is allowed when any rule matches; null or empty: no request matches.</summary>
    public List<AuthorizationRule>? Rules { get; set; }
}

public sealed class WorkloadSelector
{
    public Dictionary<string, string> MatchLabels { get; set; } = [];
}

/// <summary>Matches when any <see cref="From"/> and any <see cref="To"/> match; a missing list matches anything.</summary>
public sealed class AuthorizationRule
{
    public List<RuleFrom>? From { get; set; }
    public List<RuleTo>? To { get; set; }

    /// <summary>Extra conditions, all of which must hold (e.g. a JWT claim); null: none.</summary>
    public List<AuthorizationCondition>? When { get; set; }
}

/// <summary>A condition on a request attribute, e.g. <c>request.auth.claims[roles]</c>: it holds when the attribute has one of <see cref="Values"/>.</summary>
public sealed class AuthorizationCondition
{
    public string Key { get; set; } = "";
    public List<string>? Values { get; set; }
}

public sealed class RuleFrom
{
    public AuthorizationSource Source { get; set; } = new();
}

/// <summary>Who calls: mTLS identities (<c>&lt;trust domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service account&gt;</c>) or whole namespaces.</summary>
public sealed class AuthorizationSource
{
    public List<string>? Principals { get; set; }
    public List<string>? Namespaces { get; set; }

    /// <summary>End users, as validated JWTs name them: <c>&lt;iss&gt;/&lt;sub&gt;</c>; a request without a valid token has none.</summary>
    public List<string>? RequestPrincipals { get; set; }
}

public sealed class RuleTo
{
    public AuthorizationOperation Operation { get; set; } = new();
}

/// <summary>
/// What is called. <see cref="Ports"/> works for every protocol; <see cref="Methods"/>, <see cref="Paths"/> and
/// <see cref="Hosts"/> are HTTP-only, and a rule that names one of them never matches TCP traffic.
/// </summary>
public sealed class AuthorizationOperation
{
    /// <summary>The callee's container ports, as strings (the Istio API's type).</summary>
    public List<string>? Ports { get; set; }
    public List<string>? Methods { get; set; }
    public List<string>? Paths { get; set; }

    /// <summary>Matches any path but these (same match forms as <see cref="Paths"/>).</summary>
    public List<string>? NotPaths { get; set; }

    public List<string>? Hosts { get; set; }
}
