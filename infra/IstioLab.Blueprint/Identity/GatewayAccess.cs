using IstioLab.Blueprint.Mesh;
using IstioLab.Blueprint.Settings;
using IstioLab.Blueprint.Store;

namespace IstioLab.Blueprint.Identity;

/// <summary>Who may make a request at the ingress gateway.</summary>
public enum GatewayAudience
{
    /// <summary>Anyone, with no token at all (a token that is present must still be valid).</summary>
    Anyone,

    /// <summary>Any caller with a valid token from the stack's issuer.</summary>
    SignedIn,

    /// <summary>A caller with a valid token whose roles claim holds <see cref="GatewayAccess.AdminRole"/>.</summary>
    Admin,
}

/// <summary>Where the gateway sends a request that the VirtualService does not send to store-front.</summary>
/// <param name="Workload">The store workload, which must be deployed for the row to exist.</param>
/// <param name="ServicePort">Its Service's port.</param>
public sealed record GatewayBackend(string Workload, int ServicePort);

/// <summary>
/// One row of the gateway's access table: which requests (methods, Istio path patterns: exact, prefix <c>/x*</c>) need
/// which caller, and, when the requests do not reach store-front, the backend the gateway routes them to.
/// </summary>
/// <param name="Name">A short name, used in the policy's comments, the tests and the docs.</param>
/// <param name="What">What the requests are, in the store's words.</param>
/// <param name="Methods">HTTP methods; null: any method.</param>
/// <param name="Paths">Path patterns; null: any path but <paramref name="NotPaths"/>.</param>
/// <param name="NotPaths">Path patterns excluded; null: none.</param>
/// <param name="Who">Who may make them.</param>
/// <param name="RoutedTo">The backend the gateway routes them to, or null for store-front (the workshop's route for <c>/</c>).</param>
public sealed record GatewayAccessRule(
    string Name, string What, IReadOnlyList<string>? Methods, IReadOnlyList<string>? Paths, IReadOnlyList<string>? NotPaths,
    GatewayAudience Who, GatewayBackend? RoutedTo = null);

/// <summary>
/// The store's front door by user identity, as data. The gateway's one ALLOW policy is derived from these rows, and so is
/// the VirtualService's route for the admin API: whatever no row names (another method on a page, an unknown API) is
/// refused with 403 for everyone, so a new route through the gateway is closed until a row opens it.
/// Facts from Azure-Samples/aks-store-demo at tag 2.1.0 (store images 2.0.0):
/// <c>src/store-front/nginx.conf</c> proxies <c>location /api/orders</c> to order-service (<c>POST /</c> places an order,
/// <c>src/order-service/routes/root.js</c>) and <c>location /api/products</c> to product-service for every method
/// (<c>GET /</c> lists, <c>POST</c>/<c>PUT /</c> and <c>DELETE /{id}</c> edit: <c>src/product-service/src/startup.rs</c>);
/// everything else is its single-page app, answered with <c>index.html</c>. <c>src/store-admin/nginx.conf</c> proxies
/// <c>/api/makeline/order...</c> to makeline-service (<c>GET /order/fetch</c>, <c>GET /order/:id</c>, <c>PUT /order</c>:
/// <c>src/makeline-service/main.go</c>) and <c>/api/product</c>, <c>/api/product/...</c> to product-service's edits.
/// </summary>
public static class GatewayAccess
{
    /// <summary>The value of the roles claim that makes a caller the store's admin (an Entra app role's value, by convention Resource.Action).</summary>
    public const string AdminRole = "Store.Admin";

    /// <summary>The claim the admin role is read from: Entra ID puts app roles in <c>roles</c> (a list of strings).</summary>
    public const string RolesClaim = "roles";

    /// <summary>The prefix every API path of both nginx front ends shares; everything else is a page.</summary>
    public const string ApiPrefix = "/api/";

    /// <summary>The order API as the browser calls it (store-front's <c>ShoppingCartView</c>: <c>POST /api/orders</c>).</summary>
    public const string OrderApi = "/api/orders";

    /// <summary>The product listing as the browser calls it (store-front's <c>App.vue</c>: <c>GET /api/products</c>).</summary>
    public const string ProductApi = "/api/products";

    /// <summary>The admin UI's order queue (store-admin's <c>App.vue</c>: <c>GET /api/makeline/order/fetch</c>): a read, so the check may call it.</summary>
    public const string AdminOrderQueue = "/api/makeline/order/fetch";

    private static readonly GatewayBackend StoreAdmin = new("store-admin", 80);

    /// <summary>Every row, in the order the policy lists them; rows routed to a workload the variant does not deploy are left out.</summary>
    public static IReadOnlyList<GatewayAccessRule> Rules(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var deployed = StoreCatalog.Workloads(settings.StoreVariant).Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        return [.. AllRules.Where(r => r.RoutedTo is null || deployed.Contains(r.RoutedTo.Workload))];
    }

    private static IReadOnlyList<GatewayAccessRule> AllRules { get; } =
    [
        new("pages", "the store's pages and assets: everything outside /api/", ["GET", "HEAD"], null, [ApiPrefix + "*"], GatewayAudience.Anyone),
        new("product-listing", "the product listing (store-front -> product-service)", ["GET", "HEAD"], [ProductApi + "*"], null, GatewayAudience.Anyone),
        new("place-order", "placing an order (store-front -> order-service)", ["POST"], [OrderApi + "*"], null, GatewayAudience.SignedIn),
        new("product-edits", "adding, changing and deleting products through store-front's /api/products (product-service's write endpoints)",
            ["POST", "PUT", "PATCH", "DELETE"], [ProductApi + "*"], null, GatewayAudience.Admin),
        new("order-processing", "the admin API's order queue: fetch, read and complete orders (store-admin -> makeline-service)",
            null, ["/api/makeline/*"], null, GatewayAudience.Admin, StoreAdmin),
        new("product-admin", "the admin API's product edits (store-admin -> product-service)",
            null, ["/api/product", "/api/product/*"], null, GatewayAudience.Admin, StoreAdmin),
    ];

    /// <summary>
    /// The VirtualService routes for rows that do not reach store-front, before the workshop's catch-all <c>/</c>: a path
    /// pattern <c>/x*</c> becomes a prefix match on <c>/x</c>, any other an exact match. None while user identity is off,
    /// so the admin API is never public.
    /// </summary>
    public static IReadOnlyList<HttpRoute> Routes(LabSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.UserAuth.Enabled)
        {
            return [];
        }

        return [.. Rules(settings).Where(r => r.RoutedTo is not null).Select(r => new HttpRoute
        {
            Match = [.. (r.Paths ?? throw new InvalidOperationException($"gateway row '{r.Name}' is routed, so it must name its paths")).Select(Match)],
            Route =
            [
                new HttpRouteDestination
                {
                    Destination = new Destination { Host = r.RoutedTo!.Workload, Port = new PortSelector { Number = r.RoutedTo.ServicePort } },
                },
            ],
        })];
    }

    /// <summary>The docs' table of the gateway's access rules, built from the all-in-one store's rows, with the quickstart column.</summary>
    public static string Table()
    {
        var allInOne = LabSettings.Defaults with { UserAuth = new UserAuthOptions(UserAuthMode.LabIssuer, null, null) };
        var quickstart = Rules(allInOne with { StoreVariant = StoreVariant.Quickstart }).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        static string Code(IEnumerable<string> items) => string.Join(", ", items.Select(i => $"`{i}`"));
        var table = new System.Text.StringBuilder();
        table.Append("| rule | requests | methods | paths | who | routed to | in quickstart |\n");
        table.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var row in Rules(allInOne))
        {
            var paths = row.Paths is { } p ? Code(p) : "any but " + Code(row.NotPaths ?? []);
            var who = row.Who switch
            {
                GatewayAudience.Anyone => "anyone",
                GatewayAudience.SignedIn => "any signed-in caller",
                _ => $"signed in with `{RolesClaim}` holding `{AdminRole}`",
            };
            var routed = row.RoutedTo is { } b ? $"{b.Workload}:{b.ServicePort}" : "store-front:80";
            table.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.What} | {(row.Methods is { } m ? string.Join(", ", m) : "any")} | {paths} | {who} | {routed} | {(quickstart.Contains(row.Name) ? "yes" : "no")} |\n");
        }

        return table.ToString();
    }

    private static HttpMatchRequest Match(string pattern) => pattern.EndsWith('*')
        ? new HttpMatchRequest { Uri = new StringMatch { Prefix = pattern[..^1] } }
        : new HttpMatchRequest { Uri = new StringMatch { Exact = pattern } };
}
