using Fraud.Api.Extensions;
using Fraud.Api.Security;
using Fraud.Runtime.Hosting;

namespace Fraud.Api;

/// <summary>
/// fraud-api: ingest (published to <c>transactions</c> through its Dapr sidecar), anomalies and
/// their review, statistics, the analyst console. Nothing of the detector runs here.
/// </summary>
public static class Program
{
    public static Task Main(string[] args) => Create(args).RunAsync();

    /// <summary>The app as it runs; tests build it the same way.</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = FraudApplication.CreateBuilder(args, ServiceRoutes.ApiPort);
        var runtime = builder.AddFraudRuntime();
        builder.AddFraudApi(runtime);

        var app = builder.Build();
        var limits = RateLimits.Describe(app.Services);
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("Rate limits: {Limits}", limits));
        app.UseFraudApi();
        app.MapFraudApi();
        app.MapFraudOperations();
        return app;
    }
}
