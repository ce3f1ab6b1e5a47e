using Fraud.Detector.Extensions;
using Fraud.Runtime.Hosting;

namespace Fraud.Detector;

/// <summary>
/// fraud-detector: subscribes to <c>transactions</c> and <c>feedback</c> through its Dapr sidecar,
/// keeps account and merchant profiles, scores, raises anomalies and writes the ledger.
/// </summary>
public static class Program
{
    public static Task Main(string[] args) => Create(args).RunAsync();

    /// <summary>The app as it runs; tests build it the same way.</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = FraudApplication.CreateBuilder(args, DetectorNames.Port);
        var runtime = builder.AddFraudRuntime();
        builder.AddDetector(runtime);

        var app = builder.Build();
        app.UseDetector();
        app.MapDetector();
        app.MapFraudOperations();
        return app;
    }
}
