namespace IstioLab.Blueprint.Store;

/// <summary>How a call travels, as Istio sees it on the callee's port.</summary>
public enum CallProtocol
{
    /// <summary>HTTP: a policy may restrict methods.</summary>
    Http,

    /// <summary>Plain TCP (AMQP, the Mongo wire protocol): a policy may only name callers and ports.</summary>
    Tcp,
}

/// <summary>
/// One call a workload makes, from the store's real call graph (read from the store's sources, release 2.1.0; listed in <c>docs/zero-trust.md</c>): the callee's
/// name, the container port the connection reaches (the callee's sidecar sees that one, not the Service's), the
/// protocol, and the HTTP methods when the call graph shows them (empty: any method). The allow-list is derived
/// from these declarations; nothing else grants a call.
/// </summary>
public sealed record StoreCall(string Callee, int Port, CallProtocol Protocol, IReadOnlyList<string> Methods)
{
    public static StoreCall Http(string callee, int port, params string[] methods) => new(callee, port, CallProtocol.Http, methods);

    public static StoreCall Tcp(string callee, int port) => new(callee, port, CallProtocol.Tcp, []);

    /// <summary>
    /// Why the caller fails when this callee is not ready as it starts (null: it copes), with the source that shows it.
    /// Such a call makes the caller wait for the callee first (<see cref="StartupWaits"/>). It describes the caller's
    /// start, not the call, so it takes no part in a call's equality or in the allow-list.
    /// </summary>
    public string? NeededAtStartBecause { get; init; }

    /// <summary>This call, declared as one the caller needs ready when it starts, for the reason given.</summary>
    public StoreCall AtStart(string because)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(because);
        return this with { NeededAtStartBecause = because };
    }

    /// <summary>Two calls are the same when callee, port, protocol and methods (in order) are.</summary>
    public bool Equals(StoreCall? other) =>
        other is not null && Callee == other.Callee && Port == other.Port && Protocol == other.Protocol && Methods.SequenceEqual(other.Methods);

    public override int GetHashCode() => HashCode.Combine(Callee, Port, Protocol, string.Join(",", Methods));

    public override string ToString() => $"{Protocol} {Callee}:{Port}" + (Methods.Count > 0 ? $" {string.Join(",", Methods)}" : "");
}
