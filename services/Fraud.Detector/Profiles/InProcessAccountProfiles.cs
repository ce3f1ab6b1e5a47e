using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Observability;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Profiles;

/// <summary>
/// The embedded runtime's account profiles: in-process shards by account hash, each a
/// <see cref="ProfileStore{TProfile}"/> under its own lock, so one account's updates are serialised
/// while different accounts proceed in parallel. Caps (<see cref="ProfileOptions.MaxAccounts"/>,
/// idle eviction) are split evenly across shards.
/// </summary>
public sealed class InProcessAccountProfiles : IAccountProfiles
{
    private const int ShardCount = 64;

    private readonly Shard[] _shards = new Shard[ShardCount];
    private readonly double _smallAmount;

    public InProcessAccountProfiles(IOptions<ProfileOptions> options)
    {
        var value = options.Value;
        _smallAmount = value.SmallAmount;
        var perShard = Math.Max(1, value.MaxAccounts / ShardCount);
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(new ProfileStore<AccountProfile>(perShard, value.AccountIdleEviction));
        }
    }

    public int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
            {
                lock (shard.Gate)
                {
                    count += shard.Store.Count;
                }
            }

            return count;
        }
    }

    public ValueTask ObserveAsync(IReadOnlyList<Transaction> batch, float[] features, bool[] fresh, bool peek, CancellationToken cancellationToken)
    {
        var width = FeatureVector.Length;
        for (var i = 0; i < batch.Count; i++)
        {
            var tx = batch[i];
            var view = new TransactionView(tx);
            var row = features.AsSpan(i * width, width);
            var shard = ShardOf(tx.AccountId);
            lock (shard.Gate)
            {
                if (peek)
                {
                    var profile = shard.Store.TryGet(tx.AccountId, out var known) ? known : new AccountProfile();
                    profile.Peek(view, row, _smallAmount);
                    fresh[i] = true;
                }
                else
                {
                    fresh[i] = shard.Store.GetOrAdd(tx.AccountId, view.Seconds).Observe(view, row, _smallAmount);
                }
            }
        }

        if (!peek)
        {
            DetectorMetrics.AccountProfiles.Set(Count);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ApplyLabelAsync(FraudLabel label, Transaction? transaction, CancellationToken cancellationToken)
    {
        if (!label.IsFraud && transaction is not null)
        {
            var shard = ShardOf(label.AccountId);
            lock (shard.Gate)
            {
                if (shard.Store.TryGet(label.AccountId, out var profile))
                {
                    profile.Vouch(StableHash.Of(transaction.DeviceId), StableHash.Of(transaction.Country));
                }
            }
        }

        if (label.IsFraud)
        {
            var shard = ShardOf(label.AccountId);
            lock (shard.Gate)
            {
                // A verdict repeated (a review saved twice) credits its fraud once.
                if (shard.Store.TryGet(label.AccountId, out var profile) && shard.Credit(label.TransactionId))
                {
                    profile.AddKnownFraud(TimeKey.Seconds(label.TransactionTime), StableHash.Of(label.TransactionId));
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private Shard ShardOf(string accountId) => _shards[(uint)StableHash.Of(accountId) % ShardCount];

    private sealed class Shard(ProfileStore<AccountProfile> store)
    {
        /// <summary>Frauds credited last, per shard: enough to recognise a repeated verdict, bounded in memory.</summary>
        private const int CreditedMemory = 256;

        private readonly HashSet<string> _credited = new(StringComparer.Ordinal);
        private readonly Queue<string> _creditedOrder = new();

        public Lock Gate { get; } = new();

        public ProfileStore<AccountProfile> Store { get; } = store;

        /// <summary>True the first time a transaction's fraud is credited (under <see cref="Gate"/>).</summary>
        public bool Credit(string transactionId)
        {
            if (!_credited.Add(transactionId))
            {
                return false;
            }

            _creditedOrder.Enqueue(transactionId);
            if (_creditedOrder.Count > CreditedMemory)
            {
                _credited.Remove(_creditedOrder.Dequeue());
            }

            return true;
        }
    }
}
