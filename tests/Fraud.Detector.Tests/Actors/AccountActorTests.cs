using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Actors;
using Fraud.Detector.Profiles;
using Fraud.Detector.Tests.Infrastructure;

namespace Fraud.Detector.Tests.Actors;

/// <summary>
/// <see cref="AccountActor"/> made with <c>ActorHost.CreateForTest</c>, called through the
/// <see cref="TestActorRuntime"/> (turn-based, JSON across the boundary, the SDK's save-after-method
/// and reset-on-failure hooks) over an in-memory actor state store.
/// </summary>
public sealed class AccountActorTests
{
    private static readonly int Width = FeatureVector.Length;
    private static readonly ProfileOptions Profiles = new() { AccountIdleEviction = TimeSpan.FromDays(45) };

    [Fact]
    public async Task Observe_computes_features_from_history_and_persists_the_profile_under_profile_with_the_idle_eviction_ttl()
    {
        var runtime = new TestActorRuntime(Profiles);
        var actor = runtime.Proxy("acc-1");

        var observation = await actor.ObserveAsync(new AccountBatch([Tx("o-1", "acc-1", 0, 20m), Tx("o-2", "acc-1", 10, 25m), Tx("o-3", "acc-1", 20, 30m)], Peek: false));

        Assert.Equal([true, true, true], observation.Fresh);
        Assert.Equal(3 * Width, observation.Features.Length);
        Assert.Equal(0f, Get(observation, 0, Feature.AccountHistoryCount));
        Assert.Equal(2f, Get(observation, 2, Feature.AccountHistoryCount));
        Assert.Equal(2f, Get(observation, 2, Feature.AccountCount1h));
        Assert.Equal(600f, Get(observation, 2, Feature.AccountSecondsSincePrevious));
        Assert.Equal(30f, Get(observation, 2, Feature.Amount));
        var write = Assert.Single(runtime.Store.Writes);
        Assert.Equal(("acc-1", AccountActor.StateName), (write.ActorId, write.Name));
        Assert.Equal(TimeSpan.FromDays(45), write.State.Ttl);
        Assert.Equal(3, runtime.StoredProfile("acc-1")!.TransactionCount);
    }

    [Fact]
    public async Task A_new_actor_instance_over_the_same_state_continues_with_the_same_features_as_an_uninterrupted_one()
    {
        var runtime = new TestActorRuntime(Profiles);
        Transaction[] stream(string account) => [.. Enumerable.Range(0, 8).Select(i => Tx($"c-{i}", account, i * 7, 10m + (i % 3) * 40m, merchant: $"m-{i % 2}"))];

        await runtime.Proxy("acc-moved").ObserveAsync(new AccountBatch(stream("acc-moved")[..4], false));
        await runtime.DeactivateAsync("acc-moved");
        var resumed = await runtime.Proxy("acc-moved").ObserveAsync(new AccountBatch(stream("acc-moved")[4..], false));
        await runtime.Proxy("acc-stays").ObserveAsync(new AccountBatch(stream("acc-stays")[..4], false));
        var uninterrupted = await runtime.Proxy("acc-stays").ObserveAsync(new AccountBatch(stream("acc-stays")[4..], false));

        Assert.Equal(uninterrupted.Features, resumed.Features);
        Assert.Equal(uninterrupted.Fresh, resumed.Fresh);
        Assert.Equal(4f, Get(resumed, 0, Feature.AccountHistoryCount));
        var calls = runtime.Calls.Where(c => c.AccountId == "acc-moved").ToList();
        Assert.NotEqual(calls[0].Instance, calls[1].Instance);
        Assert.Equal(8, runtime.StoredProfile("acc-moved")!.TransactionCount);
    }

    [Fact]
    public async Task A_redelivered_batch_returns_fresh_false_and_changes_nothing_in_the_state()
    {
        var runtime = new TestActorRuntime(Profiles);
        var batch = new AccountBatch([Tx("r-1", "acc-r", 0, 15m), Tx("r-2", "acc-r", 5, 16m)], false);
        await runtime.Proxy("acc-r").ObserveAsync(batch);
        var stored = runtime.Store.Read<byte[]>("acc-r", AccountActor.StateName);
        await runtime.DeactivateAsync("acc-r");

        var again = await runtime.Proxy("acc-r").ObserveAsync(batch);

        Assert.Equal([false, false], again.Fresh);
        Assert.Single(runtime.Store.Writes);
        Assert.Equal(stored, runtime.Store.Read<byte[]>("acc-r", AccountActor.StateName));
        Assert.Equal(2, runtime.StoredProfile("acc-r")!.TransactionCount);
    }

    [Fact]
    public async Task Peek_gives_the_features_observe_would_give_without_changing_the_profile()
    {
        var runtime = new TestActorRuntime(Profiles);
        var actor = runtime.Proxy("acc-p");
        await actor.ObserveAsync(new AccountBatch([Tx("p-1", "acc-p", 0, 15m), Tx("p-2", "acc-p", 5, 16m)], false));
        var next = Tx("p-3", "acc-p", 9, 300m);

        var peek1 = await actor.ObserveAsync(new AccountBatch([next], Peek: true));
        var peek2 = await actor.ObserveAsync(new AccountBatch([next], Peek: true));
        var writesAfterPeeks = runtime.Store.Writes.Count;
        var observed = await actor.ObserveAsync(new AccountBatch([next], Peek: false));

        Assert.Equal(1, writesAfterPeeks);
        Assert.Equal(peek1.Features, peek2.Features);
        Assert.Equal(observed.Features, peek1.Features);
        Assert.Equal([true], observed.Fresh);
        Assert.Equal(2f, Get(peek1, 0, Feature.AccountHistoryCount));
        Assert.Equal(3, runtime.StoredProfile("acc-p")!.TransactionCount);
    }

    [Fact]
    public async Task ApplyLabel_credits_a_known_fraud_to_the_account_and_ignores_a_not_fraud_label()
    {
        var runtime = new TestActorRuntime(Profiles);
        var actor = runtime.Proxy("acc-l");
        var fraud = Tx("l-1", "acc-l", 0, 400m);
        await actor.ObserveAsync(new AccountBatch([fraud, Tx("l-2", "acc-l", 30, 12m)], false));
        var probe = new AccountBatch([Tx("l-3", "acc-l", 60, 12m)], Peek: true);
        var before = await actor.ObserveAsync(probe);

        await actor.ApplyLabelAsync(new FraudLabel("l-2", "acc-l", "merch-1", Events.T0.AddMinutes(30), IsFraud: false));
        var writesAfterNotFraud = runtime.Store.Writes.Count;
        await runtime.DeactivateAsync("acc-l");
        await actor.ApplyLabelAsync(new FraudLabel("l-1", "acc-l", "merch-1", fraud.Timestamp, IsFraud: true));
        await runtime.DeactivateAsync("acc-l");
        var after = await actor.ObserveAsync(probe);

        Assert.Equal(1, writesAfterNotFraud);
        Assert.Equal(0f, Get(before, 0, Feature.AccountKnownFraud30d));
        Assert.True(FeatureVector.IsMissing(Get(before, 0, Feature.AccountDaysSinceKnownFraud)));
        Assert.True(Get(after, 0, Feature.AccountKnownFraud30d) > 0.5f);
        Assert.Equal(1f / 24, Get(after, 0, Feature.AccountDaysSinceKnownFraud), 0.001f);
        Assert.Equal(TimeSpan.FromDays(45), runtime.Store.Writes[^1].State.Ttl);
    }

    [Fact]
    public async Task The_same_fraud_label_twice_is_credited_once_even_across_activations()
    {
        var runtime = new TestActorRuntime(Profiles);
        var actor = runtime.Proxy("acc-twice");
        var fraud = Tx("t-1", "acc-twice", 0, 400m);
        await actor.ObserveAsync(new AccountBatch([fraud], false));
        var label = new FraudLabel("t-1", "acc-twice", "merch-1", fraud.Timestamp, IsFraud: true);
        var probe = new AccountBatch([Tx("t-2", "acc-twice", 60, 12m)], Peek: true);

        await actor.ApplyLabelAsync(label);
        var once = await actor.ObserveAsync(probe);
        await runtime.DeactivateAsync("acc-twice");
        await actor.ApplyLabelAsync(label);
        var twice = await actor.ObserveAsync(probe);

        Assert.InRange(Get(once, 0, Feature.AccountKnownFraud30d), 0.9f, 1.0f);
        Assert.Equal(once.Features, twice.Features);
        Assert.Equal(["t-1"], runtime.Store.Read<string[]>("acc-twice", AccountActor.CreditedStateName)!);
        Assert.All(runtime.Store.Writes, w => Assert.Equal(TimeSpan.FromDays(45), w.State.Ttl));
    }

    [Theory]
    [InlineData("\"AQID\"")]
    [InlineData("{\"transactions\":3,\"format\":\"json\"}")]
    public async Task An_unreadable_state_blob_starts_the_account_afresh_instead_of_failing_its_payments(string storedJson)
    {
        var runtime = new TestActorRuntime(Profiles);
        runtime.Store.Put("acc-old", AccountActor.StateName, storedJson);

        var observation = await runtime.Proxy("acc-old").ObserveAsync(new AccountBatch([Tx("u-1", "acc-old", 0, 15m)], false));

        Assert.Equal([true], observation.Fresh);
        Assert.Equal(0f, Get(observation, 0, Feature.AccountHistoryCount));
        Assert.Equal(1, runtime.StoredProfile("acc-old")!.TransactionCount);
    }

    [Fact]
    public async Task A_failed_state_save_is_not_taken_for_a_recorded_batch_when_dapr_retries_it()
    {
        var runtime = new TestActorRuntime(Profiles);
        var batch = new AccountBatch([Tx("f-1", "acc-f", 0, 15m), Tx("f-2", "acc-f", 5, 16m)], false);

        runtime.Store.SaveFailure = new InvalidOperationException("actorstate: connection refused");
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.Proxy("acc-f").ObserveAsync(batch));
        runtime.Store.SaveFailure = null;
        var retried = await runtime.Proxy("acc-f").ObserveAsync(batch);

        // Nothing was stored the first time, so the retry must count the batch (and save it).
        Assert.Equal([true, true], retried.Fresh);
        Assert.Equal(2, runtime.StoredProfile("acc-f")!.TransactionCount);
    }

    internal static Transaction Tx(string id, string account, int minutes, decimal amount, string merchant = "merch-1") => new()
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

    private static float Get(AccountObservation observation, int row, Feature feature) => observation.Features[row * Width + (int)feature];
}
