using Dapr.Actors;
using Dapr.Actors.Client;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Profiles;
using Fraud.Detector.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Tests.Actors;

/// <summary><see cref="ActorAccountProfiles"/>: one actor call per account, order kept, rows put back in place.</summary>
public sealed class ActorAccountProfilesTests
{
    private static readonly int Width = FeatureVector.Length;

    [Fact]
    public async Task A_batch_is_grouped_by_account_in_order_and_each_row_is_put_back_at_its_place()
    {
        var actors = new EchoActors();
        var profiles = new ActorAccountProfiles(actors);
        string[] accounts = ["b", "a", "b", "c", "a", "b"];
        Transaction[] batch = [.. accounts.Select((account, i) => AccountActorTests.Tx($"tx-{i}", account, i, 10m + i))];
        var features = new float[batch.Length * Width];
        var fresh = new bool[batch.Length];

        await profiles.ObserveAsync(batch, features, fresh, peek: false, CancellationToken.None);

        Assert.Equal(3, actors.Calls.Count);
        Assert.Equal(["tx-1", "tx-4"], actors.Calls["a"].Transactions.Select(t => t.TransactionId));
        Assert.Equal(["tx-0", "tx-2", "tx-5"], actors.Calls["b"].Transactions.Select(t => t.TransactionId));
        Assert.Equal(["tx-3"], actors.Calls["c"].Transactions.Select(t => t.TransactionId));
        Assert.All(actors.Calls.Values, c => Assert.False(c.Peek));
        for (var i = 0; i < batch.Length; i++)
        {
            // The echo actor marks every cell of a row with the transaction's number.
            Assert.All(features.AsSpan(i * Width, Width).ToArray(), v => Assert.Equal(i, v));
            Assert.Equal(i % 2 == 0, fresh[i]);
        }
    }

    [Fact]
    public async Task Peek_is_passed_to_the_actors()
    {
        var actors = new EchoActors();
        var profiles = new ActorAccountProfiles(actors);

        await profiles.ObserveAsync([AccountActorTests.Tx("tx-0", "a", 0, 5m)], new float[Width], new bool[1], peek: true, CancellationToken.None);

        Assert.True(actors.Calls["a"].Peek);
    }

    [Fact]
    public async Task An_actor_answer_of_the_wrong_size_fails_the_batch_instead_of_mixing_up_rows()
    {
        var actors = new EchoActors { RowsShort = 1 };
        var profiles = new ActorAccountProfiles(actors);
        Transaction[] batch = [AccountActorTests.Tx("tx-0", "a", 0, 5m), AccountActorTests.Tx("tx-1", "a", 1, 6m)];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await profiles.ObserveAsync(batch, new float[2 * Width], new bool[2], peek: false, CancellationToken.None));

        Assert.Contains("a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actor_profiles_give_the_same_features_as_in_process_profiles_for_an_interleaved_stream_redeliveries_and_labels()
    {
        var options = new ProfileOptions();
        var inProcess = new InProcessAccountProfiles(Options.Create(options));
        var viaActors = new ActorAccountProfiles(new TestActorRuntime(options));
        var stream = Enumerable.Range(0, 36)
            .Select(i => AccountActorTests.Tx($"s-{i}", $"acc-{i % 3}", i * 4, i % 5 == 0 ? 1.5m : 20m + i, merchant: $"m-{i % 4}"))
            .ToList();
        // Three deliveries, the second repeating a transaction of the first (a redelivery).
        List<Transaction>[] deliveries = [stream[..12], [stream[5], .. stream[12..24]], stream[24..]];

        foreach (var delivery in deliveries)
        {
            var expected = new float[delivery.Count * Width];
            var expectedFresh = new bool[delivery.Count];
            var actual = new float[delivery.Count * Width];
            var actualFresh = new bool[delivery.Count];
            await inProcess.ObserveAsync(delivery, expected, expectedFresh, peek: false, CancellationToken.None);
            await viaActors.ObserveAsync(delivery, actual, actualFresh, peek: false, CancellationToken.None);

            Assert.Equal(expected, actual);
            Assert.Equal(expectedFresh, actualFresh);
        }

        var label = new FraudLabel("s-4", "acc-1", "m-0", stream[4].Timestamp, IsFraud: true);
        // The same verdict twice (redelivered, or a review saved twice) credits the fraud once in both.
        for (var repeat = 0; repeat < 2; repeat++)
        {
            await inProcess.ApplyLabelAsync(label, CancellationToken.None);
            await viaActors.ApplyLabelAsync(label, CancellationToken.None);
        }

        var probe = AccountActorTests.Tx("s-probe", "acc-1", 200, 30m);
        var expectedProbe = new float[Width];
        var actualProbe = new float[Width];
        await inProcess.ObserveAsync([probe], expectedProbe, new bool[1], peek: true, CancellationToken.None);
        await viaActors.ObserveAsync([probe], actualProbe, new bool[1], peek: true, CancellationToken.None);
        Assert.Equal(expectedProbe, actualProbe);
        Assert.InRange(actualProbe[(int)Feature.AccountKnownFraud30d], 0.9f, 1.0f);
    }

    /// <summary>Actors that answer each row filled with the transaction's number, fresh when it is even.</summary>
    private sealed class EchoActors : IActorProxyFactory
    {
        public Dictionary<string, AccountBatch> Calls { get; } = [];

        public int RowsShort { get; init; }

        public TActorInterface CreateActorProxy<TActorInterface>(ActorId actorId, string actorType, ActorProxyOptions? options = null)
            where TActorInterface : IActor
        {
            Assert.Equal("AccountActor", actorType);
            return (TActorInterface)(object)new Echo(this, actorId.GetId());
        }

        public object CreateActorProxy(ActorId actorId, Type actorInterfaceType, string actorType, ActorProxyOptions? options = null) =>
            throw new NotSupportedException();

        public ActorProxy Create(ActorId actorId, string actorType, ActorProxyOptions? options = null) => throw new NotSupportedException();

        private sealed class Echo(EchoActors owner, string account) : IAccountActor
        {
            public async Task<AccountObservation> ObserveAsync(AccountBatch batch)
            {
                lock (owner.Calls)
                {
                    Assert.True(owner.Calls.TryAdd(account, batch), $"a second call for account {account}");
                }

                await Task.Yield();
                var rows = batch.Transactions.Count - owner.RowsShort;
                var features = new float[rows * Width];
                var fresh = new bool[rows];
                for (var k = 0; k < rows; k++)
                {
                    var number = int.Parse(batch.Transactions[k].TransactionId.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture);
                    features.AsSpan(k * Width, Width).Fill(number);
                    fresh[k] = number % 2 == 0;
                }

                return new AccountObservation(features, fresh);
            }

            public Task ApplyLabelAsync(FraudLabel label) => Task.CompletedTask;
        }
    }
}
