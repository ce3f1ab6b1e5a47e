using Fraud.Detector.Extensions;
using Fraud.Runtime.Hosting;

namespace Fraud.Detector;

/// <summary>The fraud-detector app, built the same way by Program and by tests.</summary>
public static class DetectorApp
{
    public static WebApplication Create(string[] args)
    {
        // Settings come from the environment and arguments at start; watching appsettings for changes would
        // also wake on every write to a ledger file in the content root.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        var urls = builder.UseUrlsOrLoopback($"http://127.0.0.1:{ServiceRoutes.DetectorPort}");
        if (!Binding.IsLoopbackOnly(urls) && string.IsNullOrEmpty(builder.Configuration[DaprAppTokenMiddleware.TokenSetting]))
        {
            throw new InvalidOperationException(
                $"fraud-detector is asked to listen on {string.Join(", ", urls)}, beyond loopback, without {DaprAppTokenMiddleware.TokenSetting}: "
                + "set it (and the sidecar's dapr.io/app-token-secret) so only its Dapr sidecar can call it.");
        }

        builder.AddDetector();
        var app = builder.Build();
        app.UseFraudRequestMetrics();
        app.UseDaprAppToken(app.Configuration, DetectorExtensions.SidecarRoutes);
        app.MapDetector();
        app.MapFraudOperations();
        return app;
    }
}
