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
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Logging;

namespace Fraud.Detector.Detection;

/// <summary>
/// The detector's handler of the <c>transactions</c> topic, the same under Dapr and embedded:
/// account features from the profiles (state store or in-process shards), merchant features from
/// this instance's merchant profiles, score and reasons; every scored transaction to the ledger,
/// then the anomalies to the state store and the <c>anomalies</c> topic. It completes only when all
/// of that is done, so an acknowledged delivery is never lost; a failure fails the whole delivery,
/// which is then redelivered.
/// </summary>
/// <remarks>
/// An id seen before (a redelivery, a producer's resend, the same id twice in a delivery) is never
/// counted again and never scored again: the first scored copy (<see cref="RecordedCopies"/>) is
/// the one the ledger, the anomaly state and the topic see. A copy whose content differs from the
/// first is counted as a conflict and logged; the first still wins.
/// </remarks>
public sealed class DetectionPipeline(
    IAccountProfiles accounts,
    MerchantProfiles merchants,
    ModelHost models,
    LedgerWriter ledger,
    RecordedCopies recorded,
    IAnomalyState anomalyState,
    IEventPublisher events,
    TimeProvider time,
    ILogger<DetectionPipeline> logger) : IEventHandler<Transaction>
{
    private static readonly IReadOnlyList<Reason> NoReasons = [];

    private readonly ThrottledLog _conflictLog = new(TimeSpan.FromSeconds(10));

    public async Task HandleAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        if (transactions.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var (unique, repeats) = SplitRepeats(transactions);
        var copies = await recorded.FindAsync(unique, cancellationToken).ConfigureAwait(false);
        ScoredTransaction[] results, scored;
        if (Array.TrueForAll(copies, c => c is null))
        {
            // Nearly always: nothing of the delivery was seen before.
            results = scored = await ScoreAsync(unique, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            results = new ScoredTransaction[unique.Count];
            var unseen = new List<Transaction>(unique.Count);
            var unseenAt = new List<int>(unique.Count);
            for (var i = 0; i < unique.Count; i++)
            {
                if (copies[i] is { } copy)
                {
                    results[i] = copy;
                }
                else
                {
                    unseen.Add(unique[i]);
                    unseenAt.Add(i);
                }
            }

            scored = await ScoreAsync(unseen, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < scored.Length; j++)
            {
                results[unseenAt[j]] = scored[j];
            }
        }

        CountRepeats(unique, copies, repeats, results);

        // Held from here until committed: a redelivery after a failed commit finds these copies
        // instead of folding the transactions into the profiles a second time.
        recorded.Hold(scored);

        // Alerts become visible once the ledger has committed their transactions, so an anomaly
        // readable by id is always in the ledger's lists too; both must succeed before the ack.
        // Copies that came from the ledger are written again too (a no-op): simpler than telling them apart.
        await ledger.WriteAsync(results, cancellationToken).ConfigureAwait(false);
        recorded.Release(results);
        List<Anomaly>? anomalies = null;
        foreach (var result in results)
        {
            if (result is Anomaly anomaly)
            {
                (anomalies ??= []).Add(anomaly);
            }
        }

        if (anomalies is not null)
        {
            await anomalyState.AddAsync(anomalies, cancellationToken).ConfigureAwait(false);
            await events.PublishAnomaliesAsync(anomalies, cancellationToken).ConfigureAwait(false);
            foreach (var anomaly in scored.OfType<Anomaly>())
            {
                DetectorMetrics.Anomalies.WithLabels(WireNames.Name(anomaly.Severity)).Inc();
            }
        }

        DetectorMetrics.MerchantProfiles.Set(merchants.Count);
        DetectorMetrics.DetectionLatency.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Features, score and reasons of transactions not seen before, folded into the profiles.</summary>
    private async Task<ScoredTransaction[]> ScoreAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        var scored = new ScoredTransaction[transactions.Count];
        if (transactions.Count == 0)
        {
            return scored;
        }

        var width = FeatureVector.Length;
        var features = ArrayPool<float>.Shared.Rent(transactions.Count * width);
        var fresh = ArrayPool<bool>.Shared.Rent(transactions.Count);
        var logOdds = ArrayPool<double>.Shared.Rent(transactions.Count);
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
                var raw = scorer.LogOdds(row);
                scored[i] = Score(scorer, tx, row, raw, now);
                if (fresh[i])
                {
                    // New traffic only: the budget's window and the samples count each transaction once.
                    logOdds[i - duplicates] = raw;
                    models.Observe(row);
                    if (scored[i] is Anomaly)
                    {
                        models.Remember(tx.TransactionId, row);
                    }
                }
                else
                {
                    // In the profile already (a detector that folded it stopped before its commit).
                    duplicates++;
                }
            }

            ModelHost.Calibrate(scorer, logOdds.AsSpan(0, transactions.Count - duplicates));
            DetectorMetrics.ScoringDuration.Observe(Stopwatch.GetElapsedTime(scoringStarted).TotalSeconds / transactions.Count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<bool>.Shared.Return(fresh);
            ArrayPool<double>.Shared.Return(logOdds);
        }

        DetectorMetrics.TransactionsProcessed.WithLabels("scored").Inc(transactions.Count - duplicates);
        if (duplicates > 0)
        {
            DetectorMetrics.TransactionsProcessed.WithLabels("duplicate").Inc(duplicates);
        }

        return scored;
    }

    /// <summary>
    /// The delivery without later copies of an id (the same list when there are none, as nearly
    /// always), and those later copies.
    /// </summary>
    private static (IReadOnlyList<Transaction> Unique, List<Transaction>? Repeats) SplitRepeats(IReadOnlyList<Transaction> transactions)
    {
        var seen = new HashSet<string>(transactions.Count, StringComparer.Ordinal);
        List<Transaction>? unique = null;
        List<Transaction>? repeats = null;
        for (var i = 0; i < transactions.Count; i++)
        {
            if (!seen.Add(transactions[i].TransactionId))
            {
                unique ??= [.. transactions.Take(i)];
                (repeats ??= []).Add(transactions[i]);
            }
            else
            {
                unique?.Add(transactions[i]);
            }
        }

        return (unique ?? transactions, repeats);
    }

    /// <summary>Counts the transactions answered with an earlier copy of their id, and those whose content differs from it.</summary>
    private void CountRepeats(IReadOnlyList<Transaction> unique, ScoredTransaction?[] copies, List<Transaction>? repeats, ScoredTransaction[] results)
    {
        var repeated = 0;
        var conflicts = 0;
        string? example = null;
        void Compare(ScoredTransaction first, Transaction again)
        {
            repeated++;
            if (!TransactionContent.Same(first, again))
            {
                conflicts++;
                example ??= again.TransactionId;
            }
        }

        for (var i = 0; i < unique.Count; i++)
        {
            if (copies[i] is { } copy)
            {
                Compare(copy, unique[i]);
            }
        }

        if (repeats is not null)
        {
            var byId = results.ToDictionary(r => r.TransactionId, StringComparer.Ordinal);
            foreach (var again in repeats)
            {
                Compare(byId[again.TransactionId], again);
            }
        }

        if (repeated > 0)
        {
            DetectorMetrics.TransactionsProcessed.WithLabels("duplicate").Inc(repeated);
        }

        if (conflicts > 0)
        {
            RuntimeMetrics.ResendConflicts.Inc(conflicts);
            if (_conflictLog.ShouldLog(out var suppressed))
            {
                logger.LogWarning(
                    "{Count} transactions came again with other content than their first copy (e.g. {TransactionId}); the first copy stands ({Suppressed} more such deliveries since the last one logged)",
                    conflicts, example, suppressed);
            }
        }
    }

    /// <summary>Merchant and category features from this instance's profiles (folded in unless a redelivery or a peek).</summary>
    public void AddMerchantFeatures(Transaction tx, in TransactionView view, Span<float> row, bool add) =>
        merchants.Observe(tx.MerchantId, view, row, add);

    /// <summary>The scored transaction; an <see cref="Anomaly"/> at or above the alert threshold. Reasons from severity low up.</summary>
    public static ScoredTransaction Score(Scorer scorer, Transaction tx, ReadOnlySpan<float> row, DateTimeOffset now) =>
        Score(scorer, tx, row, scorer.LogOdds(row), now);

    private static ScoredTransaction Score(Scorer scorer, Transaction tx, ReadOnlySpan<float> row, double logOdds, DateTimeOffset now)
    {
        var score = scorer.ScoreOf(logOdds);
        var severity = scorer.SeverityOf(score);
        var reasons = severity == Severity.None ? NoReasons : scorer.Explain(row, tx).Reasons;
        var scored = new ScoredTransaction(tx, score, severity, reasons, scorer.ModelVersion, now);
        return scorer.IsAnomaly(score) ? new Anomaly(scored) : scored;
    }
}
