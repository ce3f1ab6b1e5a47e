using Fraud.Contracts;

namespace Fraud.Detector.Profiles;

/// <summary>
/// Account behaviour profiles: one Dapr actor per account (state in <c>actorstate</c>), or
/// in-process shards. Either way one account's updates are serialised.
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
