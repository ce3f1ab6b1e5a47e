using System.Globalization;
using System.Text.Json;
using Dapr.Client;
using Fraud.Contracts;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// Anomalies in the Dapr state store <c>anomalies</c> (Redis in a cluster), keyed by transaction
/// id, each item with <c>ttlInSeconds</c>. The component sets <c>keyPrefix: name</c>, so the API's
/// sidecar reads the keys the detector's sidecar wrote.
/// Saves are one state transaction, not <c>SaveBulkStateAsync</c>: Dapr.Client 1.19's bulk save
/// sends no <c>dapr-api-token</c> (its other calls do), so with the sidecar's API token on, as in
/// the cluster, daprd refuses every save. A transaction is one round trip too, carries the TTL
/// per item, and the Redis store runs it as one MULTI/EXEC (components-contrib state/redis
/// redis.go, <c>Multi</c>).
/// </summary>
public sealed class DaprAnomalyState(DaprClient dapr, IOptions<AnomalyStateOptions> options) : IAnomalyState
{
    private readonly IReadOnlyDictionary<string, string> _metadata = new Dictionary<string, string>
    {
        ["ttlInSeconds"] = ((long)Math.Ceiling(options.Value.Ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
    };

    public Task SaveAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken)
    {
        if (anomalies.Count == 0)
        {
            return Task.CompletedTask;
        }

        var operations = new List<StateTransactionRequest>(anomalies.Count);
        foreach (var anomaly in anomalies)
        {
            var value = JsonSerializer.SerializeToUtf8Bytes(anomaly, FraudJsonContext.Default.Anomaly);
            operations.Add(new StateTransactionRequest(anomaly.TransactionId, value, StateOperationType.Upsert, metadata: _metadata));
        }

        return dapr.ExecuteStateTransactionAsync(DaprNames.AnomalyStateStore, operations, cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlySet<string>> ExistingAsync(IReadOnlyList<string> transactionIds, CancellationToken cancellationToken)
    {
        if (transactionIds.Count == 0)
        {
            return new HashSet<string>();
        }

        var items = await dapr.GetBulkStateAsync(DaprNames.AnomalyStateStore, transactionIds, parallelism: null, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return items.Where(i => !string.IsNullOrEmpty(i.Value)).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<Anomaly?> GetAsync(string transactionId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<Anomaly?>(DaprNames.AnomalyStateStore, transactionId, cancellationToken: cancellationToken).ConfigureAwait(false);
}
