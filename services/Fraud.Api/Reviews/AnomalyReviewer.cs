using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;

namespace Fraud.Api.Reviews;

/// <summary>
/// Reviews an anomaly, alone (<c>PATCH /anomalies/{id}</c>) or as part of its case's verdict: the
/// ledger records the review (and, for an anomaly in a case, the case's history); then a verdict
/// becomes a label in the ledger, the anomaly state's copy is replaced, and the verdict is
/// published on <c>feedback</c>.
/// </summary>
public sealed partial class AnomalyReviewer(ILedger ledger, IAnomalyState state, IEventPublisher events, TimeProvider time, ILogger<AnomalyReviewer> logger)
{
    /// <summary>The time a review made now records: to the microsecond, as the ledger keeps it, so the ETag read back is the one answered.</summary>
    public DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }

    public async Task<ReviewResult> ReviewAsync(string transactionId, Review review, string? ifMatch, CancellationToken cancellationToken)
    {
        var result = await ledger.ReviewAsync(transactionId, review, ifMatch, cancellationToken).ConfigureAwait(false);
        if (result.Outcome != ReviewOutcome.Updated)
        {
            return result;
        }

        var anomaly = result.Anomaly!;
        var verdict = new Verdict
        {
            TransactionId = anomaly.TransactionId,
            AccountId = anomaly.AccountId,
            MerchantId = anomaly.MerchantId,
            TransactionTime = anomaly.Timestamp,
            Status = anomaly.Status,
            ReviewedBy = anomaly.ReviewedBy,
            ReviewedAt = anomaly.ReviewedAt ?? review.ReviewedAt,
        };
        try
        {
            // The label is recorded here too, so a lost verdict message never loses it for retraining.
            if (verdict.ToLabel() is { } label)
            {
                await ledger.RecordLabelAsync(label, review.ReviewedAt, cancellationToken).ConfigureAwait(false);
            }

            await state.ReplaceAsync(anomaly, cancellationToken).ConfigureAwait(false);
            await events.PublishVerdictAsync(verdict, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The review itself is committed; the rest is best effort and logged.
            LogFollowUpFailed(logger, e, transactionId);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Review of {Id} saved, but its label, cache or verdict message failed")]
    private static partial void LogFollowUpFailed(ILogger logger, Exception exception, string id);
}
