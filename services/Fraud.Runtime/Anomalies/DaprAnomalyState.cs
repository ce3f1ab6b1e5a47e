using System.Globalization;
using Dapr;
using Dapr.Client;
using Fraud.Contracts;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// Anomalies in the Dapr state store <c>anomalies</c> (Redis in a cluster), keyed by transaction
/// id, each item with <c>ttlInSeconds</c>. The component sets <c>keyPrefix: name</c>, so the API's
/// sidecar reads the keys the detector's sidecar wrote.
/// <para>
/// Every write uses first-write concurrency. The Redis store's set script (components-contrib
/// state/redis/redis.go, <c>setDefaultQuery</c>) then writes an item without an ETag only while
/// its key is absent, marks it, and from then on needs its ETag. So the detector, which writes
/// without one, can never overwrite a copy that the API reviewed, even when the review lands between
/// the detector's existence check and its write (that write fails, the delivery is retried, and the
/// check skips it); the API replaces a copy by its ETag.
/// </para>
/// <para>
/// One save per item rather than <c>SaveBulkStateAsync</c>: Dapr.Client 1.19's bulk save sends no
/// <c>dapr-api-token</c> (its other calls do), so a sidecar with an API token, as in the cluster,
/// refuses it; and a state transaction cannot carry first-write to Redis (<c>Multi</c> does not
/// pass it to the script). Anomalies are a small share of transactions.
/// </para>
/// </summary>
public sealed class DaprAnomalyState(DaprClient dapr, IOptions<AnomalyStateOptions> options) : IAnomalyState
{
    private const int ReplaceAttempts = 3;

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    private readonly IReadOnlyDictionary<string, string> _metadata = new Dictionary<string, string>
    {
        ["ttlInSeconds"] = ((long)Math.Ceiling(options.Value.Ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
    };

    public async Task AddAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken)
    {
        if (anomalies.Count == 0)
        {
            return;
        }

        // One bulk read skips the copies a redelivery finds (the usual case) without a failed write each.
        var held = await dapr.GetBulkStateAsync(DaprNames.AnomalyStateStore, [.. anomalies.Select(a => a.TransactionId)], parallelism: null, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var existing = held.Where(i => !string.IsNullOrEmpty(i.Value)).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        await Task.WhenAll(anomalies
            .Where(a => !existing.Contains(a.TransactionId))
            .Select(a => dapr.SaveStateAsync(DaprNames.AnomalyStateStore, a.TransactionId, a, FirstWrite, _metadata, cancellationToken)))
            .ConfigureAwait(false);
    }

    public async Task ReplaceAsync(Anomaly anomaly, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (_, etag) = await dapr.GetStateAndETagAsync<Anomaly?>(DaprNames.AnomalyStateStore, anomaly.TransactionId, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            try
            {
                if (string.IsNullOrEmpty(etag))
                {
                    // Not held (expired, or not written yet): stored as new, unless the detector writes it first.
                    await dapr.SaveStateAsync(DaprNames.AnomalyStateStore, anomaly.TransactionId, anomaly, FirstWrite, _metadata, cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }

                if (await dapr.TrySaveStateAsync(DaprNames.AnomalyStateStore, anomaly.TransactionId, anomaly, etag, FirstWrite, _metadata, cancellationToken)
                        .ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (DaprException) when (attempt < ReplaceAttempts)
            {
                // Written by someone else between the read and this write: read it again.
            }

            if (attempt >= ReplaceAttempts)
            {
                throw new InvalidOperationException($"Anomaly {anomaly.TransactionId} changed in the state store on each of {ReplaceAttempts} attempts to replace it.");
            }
        }
    }

    public async Task<Anomaly?> GetAsync(string transactionId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<Anomaly?>(DaprNames.AnomalyStateStore, transactionId, cancellationToken: cancellationToken).ConfigureAwait(false);
}
