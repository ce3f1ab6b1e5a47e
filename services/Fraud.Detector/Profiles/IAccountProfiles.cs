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

    /// <summary>Credits a fraud label to its account (known fraud history, amount baseline).</summary>
    ValueTask ApplyLabelAsync(FraudLabel label, CancellationToken cancellationToken);
}
