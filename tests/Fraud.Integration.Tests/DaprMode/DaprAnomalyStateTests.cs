using Dapr;
using Dapr.Client;
using Fraud.Contracts;
using Fraud.DaprSidecar;
using Fraud.Runtime;
using Fraud.Runtime.Anomalies;
using Fraud.TestSupport;
using Microsoft.Extensions.Options;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// The anomaly state's writes through a sidecar to the Redis state store's own scripts: the
/// detector's copy never overwrites a review, the review replaces the detector's copy.
/// </summary>
public sealed class DaprAnomalyStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_review_replaces_the_detectors_copy_and_no_later_write_of_the_detector_undoes_it()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        var sidecar = await cluster.AddSidecarAsync("fraud-detector", LoopbackPort.Free(), daprApiToken: "token-1");
        using var dapr = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{sidecar.GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{sidecar.HttpPort}")
            .UseDaprApiToken("token-1")
            .UseJsonSerializationOptions(RuntimeJson.Options)
            .Build();
        var state = new DaprAnomalyState(dapr, Options.Create(new AnomalyStateOptions()));
        var open = Anomaly("x-1");
        var reviewed = open with { Status = AnomalyStatus.ConfirmedFraud, ReviewedBy = "analyst-7", ReviewedAt = T0.AddHours(1) };

        await state.AddAsync([open], CancellationToken.None);
        await state.ReplaceAsync(reviewed, CancellationToken.None);
        await state.AddAsync([open], CancellationToken.None); // a redelivery
        Assert.Equal(AnomalyStatus.ConfirmedFraud, (await state.GetAsync("x-1", CancellationToken.None))!.Status);

        // The race the existence check cannot close: a detector write that had checked before the
        // review landed. The store refuses it, so the delivery is retried instead of undoing the review.
        await Assert.ThrowsAsync<DaprException>(() => dapr.SaveStateAsync(
            DaprNames.AnomalyStateStore, "x-1", open, new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }));
        Assert.Equal(AnomalyStatus.ConfirmedFraud, (await state.GetAsync("x-1", CancellationToken.None))!.Status);

        // A review of an anomaly the store no longer holds (its TTL passed) stores it again, with the TTL.
        var expired = Anomaly("x-2") with { Status = AnomalyStatus.FalsePositive, ReviewedBy = "analyst-7" };
        await state.ReplaceAsync(expired, CancellationToken.None);
        await state.AddAsync([Anomaly("x-2")], CancellationToken.None);
        Assert.Equal(AnomalyStatus.FalsePositive, (await state.GetAsync("x-2", CancellationToken.None))!.Status);
        var ttl = await cluster.RedisConnection.GetDatabase().KeyTimeToLiveAsync("anomalies||x-2");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    private static Anomaly Anomaly(string id) => new(new ScoredTransaction(
        new Transaction { TransactionId = id, AccountId = "acct-s", Timestamp = T0, Amount = 42m },
        0.9, Severity.High, [new Reason("CARD_TESTING", "burst", 1)], "rules-only", T0));
}
