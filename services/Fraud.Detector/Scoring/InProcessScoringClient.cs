using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Detection;
using Fraud.Detector.Models;
using Fraud.Detector.Profiles;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Scoring;

namespace Fraud.Detector.Scoring;

/// <summary>
/// Authorisation-time scoring: the transaction's features from the profiles as they are, without
/// folding it in (the same transaction arriving later on the topic is then counted once), and the
/// score with the reasons its stored copy will have. A transaction already scored with the same
/// content is answered from its stored copy: the score, reasons and model that count for it,
/// whatever the profiles and the model have learnt since. Serves the detector's <c>POST /score</c>
/// and, in the embedded runtime, the API's.
/// </summary>
public sealed class InProcessScoringClient(IAccountProfiles accounts, DetectionPipeline pipeline, ModelHost models, ILedger ledger, TimeProvider time)
    : IScoringClient
{
    public async Task<ScoreResponse> ScoreAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        // One primary-key read: the price of never answering two different scores for one stored transaction.
        if (await ledger.GetTransactionAsync(transaction.TransactionId, cancellationToken).ConfigureAwait(false) is { } stored
            && TransactionContent.Same(stored, transaction))
        {
            return Response(stored);
        }

        var features = new float[FeatureVector.Length];
        await accounts.ObserveAsync([transaction], features, new bool[1], peek: true, cancellationToken).ConfigureAwait(false);
        pipeline.AddMerchantFeatures(transaction, new TransactionView(transaction), features, add: false);
        var scorer = models.Current;
        var scored = DetectionPipeline.Score(scorer, transaction, features, time.GetUtcNow());
        // The reasons the stored copy gets when this transaction is ingested next: none below severity low.
        return Response(scored);
    }

    private static ScoreResponse Response(ScoredTransaction scored) =>
        new(scored.TransactionId, scored.Score, scored.Severity, scored is Anomaly, scored.Reasons, scored.ModelVersion, scored.ScoredAt);
}
