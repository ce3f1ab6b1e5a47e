using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Detection;
using Fraud.Detector.Models;
using Fraud.Detector.Profiles;
using Fraud.Runtime.Scoring;

namespace Fraud.Detector.Scoring;

/// <summary>
/// Authorisation-time scoring: the transaction's features from the profiles as they are, without
/// folding it in (the same transaction arriving later on the topic is then counted once), and the
/// score with the reasons its stored copy will have. Serves the detector's <c>POST /score</c> and, in the embedded runtime, the API's.
/// </summary>
public sealed class InProcessScoringClient(IAccountProfiles accounts, DetectionPipeline pipeline, ModelHost models, TimeProvider time)
    : IScoringClient
{
    public async Task<ScoreResponse> ScoreAsync(Transaction transaction, CancellationToken cancellationToken)
    {
        var features = new float[FeatureVector.Length];
        await accounts.ObserveAsync([transaction], features, new bool[1], peek: true, cancellationToken).ConfigureAwait(false);
        pipeline.AddMerchantFeatures(transaction, new TransactionView(transaction), features, add: false);
        var scorer = models.Current;
        var scored = DetectionPipeline.Score(scorer, transaction, features, time.GetUtcNow());
        // The reasons the stored copy gets when this transaction is ingested next: none below severity low.
        return new ScoreResponse(scored.TransactionId, scored.Score, scored.Severity, scored is Anomaly, scored.Reasons, scored.ModelVersion, scored.ScoredAt);
    }
}
