using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Fraud.Deploy.Tests;

/// <summary>
/// Every path a probe, a sidecar health check, a scrape or the access-control policy calls is a route
/// the app really maps: the apps are built in-process (not started) and their endpoints listed.
/// </summary>
public sealed class RouteTests
{
    private static async Task<IReadOnlySet<string>> RoutesOf(Func<string[], WebApplication> create)
    {
        var dir = Directory.CreateTempSubdirectory("fraud-deploy-tests-");
        try
        {
            var app = create(["--Fraud:Runtime:Mode=Dapr", $"--Fraud:Ledger:ConnectionString={Path.Combine(dir.FullName, "ledger.db")}"]);
            try
            {
                return ((IEndpointRouteBuilder)app).DataSources
                    .SelectMany(s => s.Endpoints)
                    .OfType<RouteEndpoint>()
                    .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
                    .ToHashSet(StringComparer.OrdinalIgnoreCase);
            }
            finally
            {
                await app.DisposeAsync();
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Paths called on each app by Kubernetes, its sidecar, Prometheus and Dapr access control.</summary>
    private static IReadOnlySet<string> PathsCalledOn(string appId)
    {
        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var overlay in Rendered.Overlays)
        {
            var docs = Rendered.Overlay(overlay);
            var deployment = docs.Get("Deployment", appId);
            var container = deployment.AppContainer();
            foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            {
                if (container.Str(probe, "httpGet", "path") is { } path)
                {
                    paths.Add(path);
                }
            }

            if (deployment.PodAnnotations().GetValueOrDefault("dapr.io/app-health-check-path") is string health)
            {
                paths.Add(health);
            }

            foreach (var endpoint in docs.OfKind("PodMonitor").SelectMany(m => m.Root.List("spec", "podMetricsEndpoints")).Where(e => e.Str("port") == "http"))
            {
                paths.Add(endpoint.Str("path")!);
            }

            if (appId == DaprNames.DetectorAppId)
            {
                foreach (var operation in docs.OfKind("Configuration").SelectMany(c => c.Root.List("spec", "accessControl", "policies")).SelectMany(p => p.List("operations")))
                {
                    paths.Add(operation.Str("name")!);
                }
            }
        }

        var local = Yaml.LoadFile(Repo.Path("dapr.yaml")).Single().Root.List("apps").Single(a => a.Str("appID") == appId);
        paths.Add(local.Str("appHealthCheckPath")!);
        return paths;
    }

    [Fact]
    public async Task The_api_maps_every_path_called_on_it()
    {
        var routes = await RoutesOf(Fraud.Api.Program.Create);
        var missing = PathsCalledOn(DaprNames.ApiAppId).Where(p => !routes.Contains(p)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"fraud-api (its Program.Create) does not map {string.Join(", ", missing)}; it maps [{string.Join(", ", routes.Order(StringComparer.Ordinal))}]");
    }

    [Fact]
    public async Task The_detector_maps_every_path_called_on_it()
    {
        var routes = await RoutesOf(Fraud.Detector.Program.Create);
        var missing = PathsCalledOn(DaprNames.DetectorAppId).Where(p => !routes.Contains(p)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            $"fraud-detector (its Program.Create) does not map {string.Join(", ", missing)}; it maps [{string.Join(", ", routes.Order(StringComparer.Ordinal))}]");
    }

    /// <summary>Kubernetes' path matching: Exact is equality; Prefix matches whole path segments.</summary>
    private static bool IngressMatches(string pathType, string ingressPath, string requestPath) => pathType switch
    {
        "Exact" => requestPath == ingressPath,
        _ => ingressPath == "/" || requestPath == ingressPath.TrimEnd('/') || requestPath.StartsWith(ingressPath.TrimEnd('/') + "/", StringComparison.Ordinal),
    };

    [Fact]
    public async Task The_ingress_routes_every_API_route_and_neither_metrics_nor_health()
    {
        var routes = await RoutesOf(Fraud.Api.Program.Create);
        // A sample request path for each route: route parameters filled in. The sidecar's routes (actor
        // discovery and calls, and /healthz, which MapActorsHandlers maps for daprd's actor health
        // check) are as private as health and metrics.
        var requests = routes.Select(r => System.Text.RegularExpressions.Regex.Replace(r, @"\{[^}]+\}", "x")).ToList();
        var operational = new[] { ServiceRoutes.Metrics, ServiceRoutes.Health, ServiceRoutes.Live, ServiceRoutes.Ready, "/healthz" }
            .Concat(requests.Where(r => Fraud.Api.Extensions.ApiExtensions.IsSidecarRoute(r)))
            .ToList();
        Assert.Contains("/dapr/config", operational);
        foreach (var overlay in Rendered.Overlays)
        {
            var paths = Rendered.Overlay(overlay).OfKind("Ingress").Single().Root.List("spec", "rules")
                .SelectMany(r => r.List("http", "paths")).Select(p => (Type: p.Str("pathType")!, Path: p.Str("path")!)).ToList();
            bool Routed(string request) => paths.Any(p => IngressMatches(p.Type, p.Path, request));

            foreach (var request in requests.Where(r => !operational.Contains(r)))
            {
                Assert.True(Routed(request), $"{overlay}: the Ingress does not route {request}, which fraud-api serves");
            }

            foreach (var request in operational)
            {
                Assert.False(Routed(request), $"{overlay}: the Ingress exposes {request} publicly");
            }
        }
    }

    [Fact]
    public void The_paths_called_are_the_contract_routes()
    {
        Assert.Equal(new[] { ServiceRoutes.Live, ServiceRoutes.Ready, ServiceRoutes.Metrics }.Order(StringComparer.Ordinal), PathsCalledOn(DaprNames.ApiAppId).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { ServiceRoutes.Live, ServiceRoutes.Metrics, ServiceRoutes.Ready, ServiceRoutes.Score }.Order(StringComparer.Ordinal), PathsCalledOn(DaprNames.DetectorAppId).Order(StringComparer.Ordinal));
    }
}
