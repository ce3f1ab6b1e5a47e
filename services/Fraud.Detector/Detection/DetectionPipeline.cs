using System.Buffers;
using System.Diagnostics;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Scoring;
using Fraud.Detector.Models;
using Fraud.Detector.Observability;
using Fraud.Detector.Profiles;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;

namespace Fraud.Detector.Detection;

/// <summary>
/// The detector's handler of the <c>transactions</c> topic, the same under Dapr and embedded:
/// account features from the profiles (actors or in-process shards), merchant features from this
/// instance's merchant profiles, score and reasons; every scored transaction to the ledger, then
/// the anomalies to the state store and the <c>anomalies</c> topic. It completes only when all of
/// that is done, so an acknowledged delivery is never lost; a failure fails the whole
/// delivery, which is then redelivered and, being idempotent, never counted twice.
/// </summary>
public sealed class DetectionPipeline(
    IAccountProfiles accounts,
    MerchantProfiles merchants,
    ModelHost models,
    LedgerWriter ledger,
    IAnomalyState anomalyState,
    IEventPublisher events,
    TimeProvider time) : IEventHandler<Transaction>
{
    private static readonly IReadOnlyList<Reason> NoReasons = [];

    public async Task HandleAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        if (transactions.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var width = FeatureVector.Length;
        var features = ArrayPool<float>.Shared.Rent(transactions.Count * width);
        var fresh = ArrayPool<bool>.Shared.Rent(transactions.Count);
        var scored = new ScoredTransaction[transactions.Count];
        List<Anomaly>? anomalies = null;
        var duplicates = 0;
        try
        {
            await accounts.ObserveAsync(transactions, features, fresh, peek: false, cancellationToken).ConfigureAwait(false);
            var scoringStarted = Stopwatch.GetTimestamp();
            var scorer = models.Current;
            var now = time.GetUtcNow();
            for (var i = 0; i < transactions.Count; i++)
            {
                var tx = transactions[i];
                var row = features.AsSpan(i * width, width);
                var view = new TransactionView(tx);
                AddMerchantFeatures(tx, view, row, fresh[i]);
                var result = Score(scorer, tx, row, now);
                scored[i] = result;
                if (result is Anomaly anomaly)
                {
                    (anomalies ??= []).Add(anomaly);
                }

                if (fresh[i])
                {
                    models.Observe(row);
                }
                else
                {
                    duplicates++;
                }
            }

            DetectorMetrics.ScoringDuration.Observe(Stopwatch.GetElapsedTime(scoringStarted).TotalSeconds / transactions.Count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<bool>.Shared.Return(fresh);
        }

        // Alerts become visible once the ledger has committed their transactions, so an anomaly
        // readable by id is always in the ledger's lists too; both must succeed before the ack.
        await ledger.WriteAsync(scored, cancellationToken).ConfigureAwait(false);
        if (anomalies is not null)
        {
            await anomalyState.AddAsync(anomalies, cancellationToken).ConfigureAwait(false);
            await events.PublishAnomaliesAsync(anomalies, cancellationToken).ConfigureAwait(false);
            foreach (var anomaly in anomalies)
            {
                DetectorMetrics.Anomalies.WithLabels(WireNames.Name(anomaly.Severity)).Inc();
            }
        }

        DetectorMetrics.TransactionsProcessed.WithLabels("scored").Inc(transactions.Count - duplicates);
        if (duplicates > 0)
        {
            DetectorMetrics.TransactionsProcessed.WithLabels("duplicate").Inc(duplicates);
        }

        DetectorMetrics.MerchantProfiles.Set(merchants.Count);
        DetectorMetrics.DetectionLatency.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Merchant features from this instance's merchant profiles (folded in unless a redelivery or a peek).</summary>
    public void AddMerchantFeatures(Transaction tx, in TransactionView view, Span<float> row, bool add)
    {
        if (tx.MerchantId is { Length: > 0 } merchantId)
        {
            merchants.Observe(merchantId, view, row, add);
        }
        else
        {
            MerchantProfiles.ExtractAbsent(row);
        }
    }

    /// <summary>The scored transaction; an <see cref="Anomaly"/> at or above the alert threshold. Reasons from severity low up.</summary>
    public static ScoredTransaction Score(Scorer scorer, Transaction tx, ReadOnlySpan<float> row, DateTimeOffset now)
    {
        var score = scorer.Score(row);
        var severity = scorer.SeverityOf(score);
        var reasons = severity == Severity.None ? NoReasons : scorer.Explain(row, tx).Reasons;
        var scored = new ScoredTransaction(tx, score, severity, reasons, scorer.ModelVersion, now);
        return scorer.IsAnomaly(score) ? new Anomaly(scored) : scored;
    }
}
