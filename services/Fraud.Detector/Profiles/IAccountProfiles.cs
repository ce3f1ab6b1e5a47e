using Fraud.Contracts;

namespace Fraud.Detector.Profiles;

/// <summary>
/// Account behaviour profiles: in the Dapr state store, read and written once per delivery with
/// optimistic concurrency (<see cref="StoredAccountProfiles"/>), or in-process shards. Either way
/// no update of an account is lost or counted twice.
/// </summary>
public interface IAccountProfiles
{
    /// <summary>
    /// Writes the account features of <c>batch[i]</c> into <c>features[i * FeatureVector.Length ..]</c>
    /// from the account's history, then folds the transaction in (unless <paramref name="peek"/>).
    /// <c>fresh[i]</c> is false for a redelivery, which is never counted twice.
    /// </summary>
    ValueTask ObserveAsync(IReadOnlyList<Transaction> batch, float[] features, bool[] fresh, bool peek, CancellationToken cancellationToken);

    /// <summary>
    /// Credits a label to its account: a fraud to its known fraud history; a legitimate
    /// <paramref name="transaction"/> (the labelled one, when the ledger has it) vouches for its
    /// device and country (<see cref="Fraud.Core.Features.AccountProfile.Vouch"/>).
    /// </summary>
    ValueTask ApplyLabelAsync(FraudLabel label, Transaction? transaction, CancellationToken cancellationToken);
}
