using Fraud.Contracts;

namespace Fraud.Core.Features;

/// <summary>
/// The profiles as N detector replicas hold them in a cluster: accounts partitioned by hash (Kafka
/// partitions keyed by account), each replica with its own merchant profiles that see only its
/// share of every merchant's traffic, and every label reaching every replica (the detectors read
/// labels back from the ledger). Lets a backtest measure what per-replica merchant state costs.
/// </summary>
public sealed class ReplicatedProfiles : ITransactionObserver
{
    private readonly ProfileTracker[] _replicas;

    public ReplicatedProfiles(ProfileOptions options, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        _replicas = new ProfileTracker[replicas];
        for (var i = 0; i < replicas; i++)
        {
            _replicas[i] = new ProfileTracker(options);
        }
    }

    public int Count => _replicas.Length;

    public bool Observe(Transaction tx, Span<float> features) =>
        _replicas[(uint)StableHash.Of(tx.AccountId) % (uint)_replicas.Length].Observe(tx, features);

    /// <summary>Every replica: the account's owner credits the account, all of them the merchant.</summary>
    public void ApplyLabel(FraudLabel label)
    {
        foreach (var replica in _replicas)
        {
            replica.ApplyLabel(label);
        }
    }
}
