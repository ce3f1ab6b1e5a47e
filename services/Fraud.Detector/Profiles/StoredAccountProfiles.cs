using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Observability;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Profiles;

/// <summary>
/// Account profiles under Dapr: a delivery reads its accounts in one round trip, folds their
/// transactions in here, and writes the changed ones back in one more, each conditional on what it
/// read (<see cref="IProfileStore"/>). Kafka gives a partition, hence an account, to one detector at
/// a time, so a write is refused only around a rebalance or when a verdict credits the same account
/// meanwhile; then the accounts are read again and the transactions folded again. A profile knows
/// the transactions it holds (<see cref="AccountProfile.Observe"/> answers false for one it has), so
/// a write that landed before another of the same batch was refused is not counted twice, and a
/// redelivery is not either. Nothing is cached between deliveries: what another detector wrote is
/// always what the next read sees.
/// </summary>
public sealed class StoredAccountProfiles(IProfileStore store, IOptions<ProfileOptions> options, ILogger<StoredAccountProfiles> logger) : IAccountProfiles
{
    /// <summary>Attempts of a read-fold-write before the delivery is given back to be redelivered.</summary>
    public const int MaxAttempts = 5;

    private const int CreditedMemory = 64;

    private readonly ProfileOptions _options = options.Value;

    public async ValueTask ObserveAsync(IReadOnlyList<Transaction> batch, float[] features, bool[] fresh, bool peek, CancellationToken cancellationToken)
    {
        var accountIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tx in batch)
        {
            accountIds.Add(tx.AccountId);
        }

        var width = FeatureVector.Length;
        // Whether a transaction is new is decided by the first read: on a retry, one that a write of
        // the refused attempt stored already is no longer new to the store, but is to this delivery.
        bool[]? firstFresh = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var held = await store.ReadAsync(accountIds, cancellationToken).ConfigureAwait(false);
            var profiles = new Dictionary<string, AccountProfile>(accountIds.Count, StringComparer.Ordinal);
            var changed = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < batch.Count; i++)
            {
                var tx = batch[i];
                if (!profiles.TryGetValue(tx.AccountId, out var profile))
                {
                    profiles[tx.AccountId] = profile = Load(tx.AccountId, held.GetValueOrDefault(tx.AccountId));
                }

                var view = new TransactionView(tx);
                var row = features.AsSpan(i * width, width);
                if (peek)
                {
                    profile.Peek(view, row, _options.SmallAmount);
                    fresh[i] = true;
                }
                else if (fresh[i] = profile.Observe(view, row, _options.SmallAmount))
                {
                    changed.Add(tx.AccountId);
                }
            }

            if (peek || changed.Count == 0)
            {
                firstFresh?.CopyTo(fresh, 0);
                return;
            }

            var writes = changed.Select(id =>
            {
                var before = held.GetValueOrDefault(id);
                return new AccountWrite(id, new StoredAccount(AccountProfileSerializer.Serialize(profiles[id]), before.Account?.CreditedLabels ?? []), before.ETag);
            }).ToList();
            if (await store.TryWriteAsync(writes, cancellationToken).ConfigureAwait(false))
            {
                firstFresh?.CopyTo(fresh, 0);
                return;
            }

            firstFresh ??= fresh[..batch.Count];
            DetectorMetrics.ProfileWriteConflicts.Inc();
            logger.LogDebug("Profiles of {Count} accounts changed since they were read (attempt {Attempt}); reading them again", writes.Count, attempt);
        }

        throw new ProfileConflictException($"Account profiles of this delivery were still changing after {MaxAttempts} attempts; it will be redelivered.");
    }

    public async ValueTask ApplyLabelAsync(FraudLabel label, Transaction? transaction, CancellationToken cancellationToken)
    {
        if (!label.IsFraud)
        {
            if (transaction is not null)
            {
                await VouchAsync(label.AccountId, transaction, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var held = (await store.ReadAsync([label.AccountId], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(label.AccountId);
            // Verdicts arrive at least once (Dapr redelivers, an analyst saves a review twice): credit each fraud once.
            var credited = held.Account?.CreditedLabels ?? [];
            if (credited.Contains(label.TransactionId, StringComparer.Ordinal))
            {
                return;
            }

            var profile = Load(label.AccountId, held);
            profile.AddKnownFraud(TimeKey.Seconds(label.TransactionTime), StableHash.Of(label.TransactionId));
            string[] updated = [.. credited.Skip(Math.Max(0, credited.Length + 1 - CreditedMemory)), label.TransactionId];
            var write = new AccountWrite(label.AccountId, new StoredAccount(AccountProfileSerializer.Serialize(profile), updated), held.ETag);
            if (await store.TryWriteAsync([write], cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            DetectorMetrics.ProfileWriteConflicts.Inc();
        }

        throw new ProfileConflictException($"Account {label.AccountId} was still changing after {MaxAttempts} attempts to credit a fraud; the verdict will be redelivered.");
    }

    /// <summary>A false positive's device and country become known; idempotent, so a repeated verdict writes nothing.</summary>
    private async ValueTask VouchAsync(string accountId, Transaction transaction, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var held = (await store.ReadAsync([accountId], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(accountId);
            if (held.Account is null)
            {
                return;
            }

            var profile = Load(accountId, held);
            if (!profile.Vouch(StableHash.Of(transaction.DeviceId), StableHash.Of(transaction.Country)))
            {
                return;
            }

            var write = new AccountWrite(accountId, held.Account with { Profile = AccountProfileSerializer.Serialize(profile) }, held.ETag);
            if (await store.TryWriteAsync([write], cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            DetectorMetrics.ProfileWriteConflicts.Inc();
        }

        throw new ProfileConflictException($"Account {accountId} was still changing after {MaxAttempts} attempts to record a false positive; the verdict will be redelivered.");
    }

    private AccountProfile Load(string accountId, VersionedAccount held)
    {
        if (held.Account is null)
        {
            if (held.ETag is not null)
            {
                logger.LogWarning("Account {Account}: stored profile unreadable, starting a new one", accountId);
            }

            return new AccountProfile();
        }

        try
        {
            return AccountProfileSerializer.Deserialize(held.Account.Profile);
        }
        catch (InvalidDataException e)
        {
            // A blob of another format version: start the account afresh rather than fail its payments.
            logger.LogWarning(e, "Account {Account}: stored profile unreadable, starting a new one", accountId);
            return new AccountProfile();
        }
    }
}

/// <summary>The profiles kept changing under a delivery or a verdict; the message is retried.</summary>
public sealed class ProfileConflictException(string message) : Exception(message);
