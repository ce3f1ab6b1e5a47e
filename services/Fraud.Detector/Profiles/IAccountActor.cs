using Dapr.Actors;
using Fraud.Contracts;

namespace Fraud.Detector.Profiles;

/// <summary>
/// One account's profile as a Dapr actor (type <c>AccountActor</c>, id = account id, state in
/// <c>actorstate</c>). Dapr's turn-based concurrency serialises the account's updates across every
/// detector replica; the detector that received a delivery adds merchant features and scores.
/// </summary>
public interface IAccountActor : IActor
{
    /// <summary>Account features of each transaction (in order), each folded in unless <see cref="AccountBatch.Peek"/>.</summary>
    Task<AccountObservation> ObserveAsync(AccountBatch batch);

    Task ApplyLabelAsync(FraudLabel label);
}

/// <summary>Transactions of one account, in delivery order.</summary>
public sealed record AccountBatch(IReadOnlyList<Transaction> Transactions, bool Peek);

/// <summary>
/// <see cref="Features"/> holds one row of <c>FeatureVector.Length</c> per transaction (only the
/// account features are meaningful); <see cref="Fresh"/> is false for a redelivery.
/// </summary>
public sealed record AccountObservation(float[] Features, bool[] Fresh);
