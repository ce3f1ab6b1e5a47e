using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Profiles;
using Fraud.Detector.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Tests.Profiles;

/// <summary>
/// <see cref="StoredAccountProfiles"/> over a store with the Dapr state store's conditions: one read
/// and one write per delivery, optimistic concurrency, nothing lost or counted twice.
/// </summary>
public sealed class StoredAccountProfilesTests
{
    private static readonly int Width = FeatureVector.Length;
    private static readonly ProfileOptions Options = new() { AccountIdleEviction = TimeSpan.FromDays(45) };

    private readonly InMemoryProfileStore _store = new();

    [Fact]
    public async Task A_delivery_reads_its_accounts_once_folds_in_its_transactions_and_writes_the_changed_ones_once()
    {
        var profiles = Profiles();
        Transaction[] batch = [Tx("o-1", "acc-1", 0, 20m), Tx("o-2", "acc-1", 10, 25m), Tx("x-1", "acc-2", 12, 9m), Tx("o-3", "acc-1", 20, 30m)];

        var (features, fresh) = await ObserveAsync(profiles, batch);

        Assert.Equal([true, true, true, true], fresh);
        Assert.Equal(0f, Get(features, 0, Feature.AccountHistoryCount));
        Assert.Equal(2f, Get(features, 3, Feature.AccountHistoryCount));
        Assert.Equal(2f, Get(features, 3, Feature.AccountCount1h));
        Assert.Equal(600f, Get(features, 3, Feature.AccountSecondsSincePrevious));
        Assert.Equal(0f, Get(features, 2, Feature.AccountHistoryCount));
        Assert.Equal(["acc-1", "acc-2"], Assert.Single(_store.Reads).Order());
        var write = Assert.Single(_store.Writes);
        Assert.True(write.Accepted);
        Assert.Equal(["acc-1", "acc-2"], write.Items.Select(w => w.AccountId).Order());
        Assert.All(write.Items, w => Assert.Null(w.ETag)); // new accounts: written only if still absent
        Assert.Equal(3, _store.Profile("acc-1")!.TransactionCount);
        Assert.Equal(1, _store.Profile("acc-2")!.TransactionCount);
    }

    [Fact]
    public async Task Another_detector_over_the_same_store_continues_with_the_features_of_an_uninterrupted_one()
    {
        Transaction[] Stream(string account) => [.. Enumerable.Range(0, 8).Select(i => Tx($"{account}-{i}", account, i * 7, 10m + (i % 3) * 40m, merchant: $"m-{i % 2}"))];

        await ObserveAsync(Profiles(), Stream("acc-moved")[..4]);
        var resumed = await ObserveAsync(Profiles(), Stream("acc-moved")[4..]); // the partition moved to another detector
        var once = Profiles();
        await ObserveAsync(once, Stream("acc-stays")[..4]);
        var uninterrupted = await ObserveAsync(once, Stream("acc-stays")[4..]);

        Assert.Equal(uninterrupted.Features, resumed.Features);
        Assert.Equal(uninterrupted.Fresh, resumed.Fresh);
        Assert.Equal(4f, Get(resumed.Features, 0, Feature.AccountHistoryCount));
        Assert.Equal(8, _store.Profile("acc-moved")!.TransactionCount);
    }

    [Fact]
    public async Task A_redelivered_batch_is_not_fresh_and_writes_nothing()
    {
        Transaction[] batch = [Tx("r-1", "acc-r", 0, 15m), Tx("r-2", "acc-r", 5, 16m)];
        await ObserveAsync(Profiles(), batch);
        var stored = _store.Account("acc-r")!.Profile;

        var again = await ObserveAsync(Profiles(), batch);

        Assert.Equal([false, false], again.Fresh);
        Assert.Single(_store.Writes);
        Assert.Equal(stored, _store.Account("acc-r")!.Profile);
    }

    [Fact]
    public async Task Peek_gives_the_features_observe_would_give_and_writes_nothing()
    {
        var profiles = Profiles();
        await ObserveAsync(profiles, [Tx("p-1", "acc-p", 0, 15m), Tx("p-2", "acc-p", 5, 16m)]);
        var next = Tx("p-3", "acc-p", 9, 300m);

        var peek1 = await ObserveAsync(profiles, [next], peek: true);
        var peek2 = await ObserveAsync(profiles, [next], peek: true);
        var writesAfterPeeks = _store.Writes.Count;
        var observed = await ObserveAsync(profiles, [next]);

        Assert.Equal(1, writesAfterPeeks);
        Assert.Equal(peek1.Features, peek2.Features);
        Assert.Equal(observed.Features, peek1.Features);
        Assert.Equal(2f, Get(peek1.Features, 0, Feature.AccountHistoryCount));
        Assert.Equal(3, _store.Profile("acc-p")!.TransactionCount);
    }

    [Fact]
    public async Task A_fraud_label_is_credited_once_and_a_not_fraud_label_changes_nothing()
    {
        var profiles = Profiles();
        var fraud = Tx("l-1", "acc-l", 0, 400m);
        await ObserveAsync(profiles, [fraud, Tx("l-2", "acc-l", 30, 12m)]);
        Transaction[] probe = [Tx("l-3", "acc-l", 60, 12m)];
        var before = await ObserveAsync(profiles, probe, peek: true);

        await profiles.ApplyLabelAsync(new FraudLabel("l-2", "acc-l", "merch-1", Events.T0.AddMinutes(30), IsFraud: false), null, CancellationToken.None);
        var writesAfterNotFraud = _store.Writes.Count;
        var label = new FraudLabel("l-1", "acc-l", "merch-1", fraud.Timestamp, IsFraud: true);
        await profiles.ApplyLabelAsync(label, null, CancellationToken.None);
        var once = await ObserveAsync(profiles, probe, peek: true);
        await Profiles().ApplyLabelAsync(label, null, CancellationToken.None); // redelivered, to another detector
        var twice = await ObserveAsync(profiles, probe, peek: true);

        Assert.Equal(1, writesAfterNotFraud);
        Assert.Equal(0f, Get(before.Features, 0, Feature.AccountKnownFraud30d));
        Assert.True(Get(once.Features, 0, Feature.AccountKnownFraud30d) > 0.5f);
        Assert.Equal(1f / 24, Get(once.Features, 0, Feature.AccountDaysSinceKnownFraud), 0.001f);
        Assert.Equal(once.Features, twice.Features);
        Assert.Equal(["l-1"], _store.Account("acc-l")!.CreditedLabels);
        Assert.Equal(2, _store.Writes.Count);
    }

    [Fact]
    public async Task An_unreadable_stored_profile_starts_the_account_afresh_instead_of_failing_its_payments()
    {
        _store.Put("acc-old", new StoredAccount([1, 2, 3], []));

        var observation = await ObserveAsync(Profiles(), [Tx("u-1", "acc-old", 0, 15m)]);

        Assert.Equal([true], observation.Fresh);
        Assert.Equal(0f, Get(observation.Features, 0, Feature.AccountHistoryCount));
        Assert.Equal(1, _store.Profile("acc-old")!.TransactionCount);
    }

    [Fact]
    public async Task A_write_that_keeps_failing_gives_the_delivery_back_and_its_retry_counts_the_batch()
    {
        Transaction[] batch = [Tx("f-1", "acc-f", 0, 15m), Tx("f-2", "acc-f", 5, 16m)];

        _store.WriteFailure = true;
        await Assert.ThrowsAsync<ProfileConflictException>(() => ObserveAsync(Profiles(), batch));
        _store.WriteFailure = false;
        var retried = await ObserveAsync(Profiles(), batch);

        Assert.Equal(StoredAccountProfiles.MaxAttempts + 1, _store.Writes.Count);
        Assert.Equal([true, true], retried.Fresh);
        Assert.Equal(2, _store.Profile("acc-f")!.TransactionCount);
    }

    [Fact]
    public async Task A_profile_changed_by_another_writer_meanwhile_is_read_again_and_neither_update_is_lost()
    {
        var profiles = Profiles();
        await ObserveAsync(profiles, [Tx("c-1", "acc-c", 0, 10m)]);
        // Another detector (a rebalance overlap) folds in c-2 between this delivery's read and its write.
        var other = Profiles();
        var interfered = false;
        _store.BeforeWrite = _ =>
        {
            if (!interfered)
            {
                interfered = true;
                _store.BeforeWrite = null;
                ObserveAsync(other, [Tx("c-2", "acc-c", 3, 11m)]).GetAwaiter().GetResult();
            }
        };

        var (features, fresh) = await ObserveAsync(profiles, [Tx("c-3", "acc-c", 6, 12m), Tx("d-1", "acc-d", 6, 5m)]);

        Assert.Equal([true, true], fresh); // both new to this delivery, though d-1 was stored by the refused attempt
        Assert.Equal(2f, Get(features, 0, Feature.AccountHistoryCount)); // computed again on c-1 and c-2
        Assert.Equal(3, _store.Profile("acc-c")!.TransactionCount);
        Assert.Equal(1, _store.Profile("acc-d")!.TransactionCount);
        var writes = _store.Writes;
        Assert.False(writes[^2].Accepted); // acc-c refused, acc-d written
        Assert.True(writes[^1].Accepted);
        // The retry wrote only acc-c: acc-d already held d-1, so it was not counted twice.
        Assert.Equal(["acc-c"], writes[^1].Items.Select(w => w.AccountId));
    }

    private StoredAccountProfiles Profiles() =>
        new(_store, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<StoredAccountProfiles>.Instance);

    private static async Task<(float[] Features, bool[] Fresh)> ObserveAsync(IAccountProfiles profiles, Transaction[] batch, bool peek = false)
    {
        var features = new float[batch.Length * Width];
        var fresh = new bool[batch.Length];
        await profiles.ObserveAsync(batch, features, fresh, peek, CancellationToken.None);
        return (features, fresh);
    }

    private static Transaction Tx(string id, string account, int minutes, decimal amount, string merchant = "merch-1") => new()
    {
        TransactionId = id,
        AccountId = account,
        Timestamp = Events.T0.AddMinutes(minutes),
        Amount = amount,
        MerchantId = merchant,
        Country = "FR",
        DeviceId = "dev-1",
        Channel = Channel.Online,
    };

    private static float Get(float[] features, int row, Feature feature) => features[row * Width + (int)feature];
}
