using Fraud.Detector.Detection;
using Fraud.Detector.Models;
using Fraud.Detector.Subscriptions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Extensions;

/// <summary>
/// Loads the model before the detector takes traffic (a learnt one is restored from the ledger in
/// the background), and on shutdown refuses new deliveries and
/// waits for those in flight (up to <see cref="DetectorOptions.DrainTimeout"/>) before the ledger
/// writer flushes and stops.
/// </summary>
public sealed class DetectorLifecycle(
    ModelHost models,
    DeliveryGate gate,
    IHostApplicationLifetime lifetime,
    IOptions<DetectorOptions> options,
    ILogger<DetectorLifecycle> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        models.Load();
        _ = models.RestoreAsync(lifetime.ApplicationStopping);
        lifetime.ApplicationStopping.Register(gate.BeginDrain);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.DrainTimeout;
        if (!await gate.DrainAsync(timeout).ConfigureAwait(false))
        {
            logger.LogWarning("{Count} deliveries still in flight after the {Timeout} drain time; Dapr will redeliver them", gate.InFlight, timeout);
        }
    }
}

/// <summary>Ready once the configured model is loaded; reports which model scores.</summary>
public sealed class ModelHealthCheck(ModelHost models) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(models.IsReady
            ? HealthCheckResult.Healthy(models.Description, new Dictionary<string, object> { ["modelVersion"] = models.Current.ModelVersion })
            : HealthCheckResult.Unhealthy("model not loaded yet"));
}
