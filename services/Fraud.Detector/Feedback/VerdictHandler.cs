using Fraud.Contracts;
using Fraud.Detector.Detection;
using Fraud.Detector.Observability;
using Fraud.Detector.Profiles;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;

namespace Fraud.Detector.Feedback;

/// <summary>
/// The detector's handler of the <c>feedback</c> topic. A verdict that is a label (confirmed fraud
/// or false positive) is recorded in the ledger — for retraining, and for every detector's merchant
/// risk through <see cref="LabelSync"/> — and credited to the account's profile: a fraud to
/// its history, a false positive as the account's own device and country.
/// </summary>
public sealed class VerdictHandler(ILedger ledger, IAccountProfiles accounts, TimeProvider time) : IEventHandler<Verdict>
{
    public async Task HandleAsync(IReadOnlyList<Verdict> verdicts, CancellationToken cancellationToken)
    {
        foreach (var verdict in verdicts)
        {
            await HandleAsync(verdict, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(Verdict verdict, CancellationToken cancellationToken)
    {
        DetectorMetrics.Verdicts.WithLabels(WireNames.Name(verdict.Status)).Inc();
        if (verdict.ToLabel() is not { } label)
        {
            return;
        }

        if (await ledger.RecordLabelAsync(label, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            // A false positive vouches for the device and country it was made with: read them back.
            var transaction = label.IsFraud ? null : await ledger.GetTransactionAsync(label.TransactionId, cancellationToken).ConfigureAwait(false);
            await accounts.ApplyLabelAsync(label, transaction, cancellationToken).ConfigureAwait(false);
        }
    }
}
