using Fraud.Api.Extensions;
using Fraud.Detector.Extensions;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Fraud.Host;

/// <summary>
/// The whole system in one process, as <c>fraud run</c> and the tests run it: the embedded
/// runtime (in-process bus, anomaly buffer, SQLite or PostgreSQL ledger), the API, and the
/// detector subscribed to the bus. The API serves <c>POST /score</c> and calls the detector in process.
/// </summary>
public static class SingleProcessApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = FraudApplication.CreateBuilder(args, ServiceRoutes.ApiPort);
        var runtime = builder.AddFraudRuntime(RuntimeMode.Embedded);
        builder.AddFraudApi(runtime);
        builder.AddDetector(runtime);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseFraudApi();
        app.MapFraudApi();
        app.MapFraudOperations();
        return app;
    }
}
