using Fraud.Core.Contracts;
using Fraud.Detector.Detection;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Observability;
using Fraud.Runtime.Profiles;

namespace Fraud.Detector.Feedback;

/// <summary>
/// The detector's handler of the <c>feedback</c> topic. A verdict that is a label (confirmed fraud
/// or false positive) is recorded in the ledger — for retraining, and for every detector's merchant
/// risk through <see cref="MerchantLabelSync"/> — and credited to the account's profile.
/// </summary>
public sealed class VerdictHandler(ILedger ledger, IAccountProfiles accounts, TimeProvider time) : IVerdictConsumer
{
    public async Task ConsumeAsync(Verdict verdict, CancellationToken cancellationToken)
    {
        FraudMetrics.Verdicts.WithLabels(StatusName(verdict.Status)).Inc();
        if (verdict.ToLabel() is not { } label)
        {
            return;
        }

        if (await ledger.RecordLabelAsync(label, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            await accounts.ApplyLabelAsync(label, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string StatusName(AnomalyStatus status) => status switch
    {
        AnomalyStatus.Open => "open",
        AnomalyStatus.ConfirmedFraud => "confirmed_fraud",
        AnomalyStatus.FalsePositive => "false_positive",
        _ => "dismissed",
    };
}
