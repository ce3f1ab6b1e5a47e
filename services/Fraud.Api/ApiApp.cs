using Fraud.Api.Extensions;
using Fraud.Detector.Extensions;
using Fraud.Runtime.Hosting;

namespace Fraud.Api;

/// <summary>
/// The fraud-api app, built the same way by Program and by tests. Under Dapr it is the API alone;
/// embedded (no sidecar) it hosts the detector too, since the embedded bus is in-process.
/// </summary>
public static class ApiApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings come from the environment and arguments at start; watching appsettings for changes would
        // also wake on every write to a ledger file in the content root.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        var urls = builder.UseUrlsOrLoopback($"http://127.0.0.1:{ServiceRoutes.ApiPort}");
        var runtime = builder.AddFraudApi();
        if (!runtime.IsDapr)
        {
            builder.AddDetector();
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        app.RequireKeysBeyondLoopback(urls);
        app.UseFraudApi();
        if (!runtime.IsDapr)
        {
            app.MapDetector(mapScoring: false);
        }

        app.MapFraudApi();
        app.MapFraudOperations();
        return app;
    }
}
