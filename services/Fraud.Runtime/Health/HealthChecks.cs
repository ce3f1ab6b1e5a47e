using Dapr.Client;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging.Embedded;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.Runtime.Health;

/// <summary>Tags: checks tagged <see cref="Ready"/> decide <c>/health/ready</c>; all of them feed <c>/health</c>.</summary>
public static class HealthTags
{
    public const string Ready = "ready";
}

/// <summary>
/// The ledger answers and, in a process that writes it, its commits go through (a full disk or a
/// lost file fails them while a ping still answers), and how far its group commit is behind.
/// </summary>
public sealed class LedgerHealthCheck(ILedger ledger, IEnumerable<LedgerWriter> writers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["kind"] = ledger.Kind };
        foreach (var writer in writers)
        {
            data["pendingRows"] = writer.PendingRows;
            if (writer.RecentFailure is { } failure)
            {
                return HealthCheckResult.Unhealthy($"{ledger.Kind} ledger commits are failing: {failure}", data: data);
            }
        }

        return await ledger.PingAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy($"{ledger.Kind} ledger reachable", data)
            : HealthCheckResult.Unhealthy($"{ledger.Kind} ledger unreachable", data: data);
    }
}

/// <summary>The Dapr sidecar is ready for the app to call (its outbound health: components initialised).</summary>
public sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckOutboundHealthAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy("Dapr sidecar healthy")
            : HealthCheckResult.Unhealthy("Dapr sidecar not healthy");
}

/// <summary>Embedded bus depth: degraded above 90% of its capacity (publishers are about to wait).</summary>
public sealed class EmbeddedBusHealthCheck(EmbeddedBus bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["queueDepth"] = bus.Pending, ["capacity"] = bus.Capacity };
        return Task.FromResult(bus.Pending > bus.Capacity * 9 / 10
            ? HealthCheckResult.Degraded("transactions queue nearly full", data: data)
            : HealthCheckResult.Healthy("transactions queue has room", data));
    }
}

/// <summary>Embedded anomaly buffer use (always healthy: a full buffer evicts its oldest).</summary>
public sealed class AnomalyBufferHealthCheck(EmbeddedAnomalyState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("anomaly buffer", new Dictionary<string, object>
        {
            ["size"] = state.Count,
            ["maxSize"] = state.MaxSize,
            ["evictions"] = state.Evictions,
        }));
}
