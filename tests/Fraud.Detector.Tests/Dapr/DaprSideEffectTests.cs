using System.Net;
using Dapr;
using Fraud.Contracts;
using Fraud.Detector.Subscriptions;
using Fraud.Detector.Tests.Infrastructure;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Messaging.Dapr;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Tests.Dapr;

/// <summary>The exact calls the detector makes on its sidecar: store and topic names, <c>partitionKey</c>, <c>ttlInSeconds</c>.</summary>
public sealed class DaprSideEffectTests
{
    [Fact]
    public async Task An_anomaly_is_saved_in_the_anomalies_store_with_its_ttl_and_published_on_anomalies_keyed_by_account()
    {
        await using var host = await DetectorHost.StartAsync();
        var entries = Events.CardTestingBurst("acc-a", "a", Events.T0, "merch-a")
            .Concat(Events.CardTestingBurst("acc-b", "b", Events.T0.AddMinutes(2), "merch-b"))
            .Select((tx, i) => Events.CloudEventEntry($"e{i}", tx)).ToArray();

        var statuses = await host.DeliverBulkAsync(Events.Bulk(entries));

        Assert.All(statuses.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        var saves = host.Dapr.StateSaves;
        Assert.All(saves, s => Assert.Equal("anomalies", s.Store));
        var items = saves.SelectMany(s => s.Items).ToList();
        Assert.Equal(["a-5", "b-5"], items.Select(i => i.Key).Order());
        foreach (var item in items)
        {
            Assert.Equal(new Dictionary<string, string> { ["ttlInSeconds"] = DetectorHost.AnomalyTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }, item.Metadata);
            Assert.Equal(item.Key, item.Json.GetProperty("transactionId").GetString());
            Assert.Equal("open", item.Json.GetProperty("status").GetString());
            Assert.Equal(950.00m, item.Json.GetProperty("amount").GetDecimal());
            Assert.True(item.Json.GetProperty("score").GetDouble() >= 0.5);
            Assert.Contains(item.Json.GetProperty("severity").GetString(), new[] { "medium", "high", "critical" });
            var codes = item.Json.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
            Assert.Contains("CARD_TESTING", codes);
            Assert.Contains("AMOUNT_SPIKE", codes);
            Assert.Null(item.ETag);
            Assert.Equal(global::Dapr.Client.ConcurrencyMode.FirstWrite, item.Concurrency);
        }

        var alerts = host.Dapr.PublishesTo("anomalies");
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a =>
        {
            Assert.Equal("pubsub", a.PubSub);
            Assert.Equal(typeof(Anomaly), a.DataType);
            Assert.Equal(a.Json.GetProperty("accountId").GetString(), a.PartitionKey);
            Assert.Single(a.Metadata!);
        });
        Assert.Equal(["a-5", "b-5"], alerts.Select(a => a.Json.GetProperty("transactionId").GetString()).Order());
        Assert.Equal(["acc-a", "acc-b"], alerts.Select(a => a.PartitionKey).Order());
        Assert.All(host.Dapr.Publishes, p => Assert.Contains(p.Topic, new[] { "anomalies" }));

        var stored = await host.Ledger.GetAnomalyAsync("a-5", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Null(await host.Ledger.GetAnomalyAsync("a-4", CancellationToken.None));
        Assert.NotNull(await host.Ledger.GetTransactionAsync("a-4", CancellationToken.None));
    }

    [Fact]
    public async Task A_redelivery_does_not_overwrite_a_stored_anomaly_that_an_analyst_has_reviewed_since()
    {
        await using var host = await DetectorHost.StartAsync();
        var body = Events.Bulk([.. Events.CardTestingBurst("acc-rev", "rev", Events.T0).Select((tx, i) => Events.CloudEventEntry($"e{i}", tx))]);
        await host.DeliverBulkAsync(body);
        var state = host.Get<IAnomalyState>();
        var stored = await state.GetAsync("rev-5", CancellationToken.None);
        Assert.NotNull(stored);
        // The API saves the reviewed anomaly back to the state store.
        var reviewed = stored with { Status = AnomalyStatus.ConfirmedFraud, ReviewedBy = "analyst-7", ReviewedAt = DetectorHost.Now };
        await state.ReplaceAsync(reviewed, CancellationToken.None);
        var savesBefore = host.Dapr.StateSaves.Count;
        host.Time.Advance(TimeSpan.FromMinutes(10));

        var again = await host.DeliverBulkAsync(body);

        Assert.All(again.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        var now = await state.GetAsync("rev-5", CancellationToken.None);
        Assert.NotNull(now);
        Assert.Equal(AnomalyStatus.ConfirmedFraud, now.Status);
        Assert.Equal(stored.ScoredAt, now.ScoredAt);
        Assert.DoesNotContain(host.Dapr.StateSaves.Skip(savesBefore), save => save.Items.Any(i => i.Key == "rev-5"));
        Assert.Contains(("anomalies", "rev-5"), host.Dapr.StateReads);
    }

    [Fact]
    public async Task The_anomaly_state_reads_back_what_it_wrote_from_the_anomalies_store_and_rounds_the_ttl_up()
    {
        var dapr = new RecordingDaprClient();
        var state = new DaprAnomalyState(dapr, Options.Create(new AnomalyStateOptions { Ttl = TimeSpan.FromSeconds(90.2) }));
        var anomaly = new Anomaly(new ScoredTransaction(
            new Transaction { TransactionId = "st-1", AccountId = "acc-st", Timestamp = Events.T0, Amount = 99.5m, Channel = Channel.CardPresent },
            0.93, Severity.Critical, [new Reason("CARD_TESTING", "burst", 1)], "rules-only", DetectorHost.Now));

        await state.AddAsync([anomaly], CancellationToken.None);
        await state.AddAsync([], CancellationToken.None);
        var read = await state.GetAsync("st-1", CancellationToken.None);
        var missing = await state.GetAsync("st-unknown", CancellationToken.None);

        var save = Assert.Single(dapr.StateSaves);
        Assert.Equal("91", Assert.Single(save.Items).Metadata!["ttlInSeconds"]);
        Assert.Equal("card_present", save.Items[0].Json.GetProperty("channel").GetString());
        Assert.Equal("critical", save.Items[0].Json.GetProperty("severity").GetString());
        // The add reads first whether st-1 is held already.
        Assert.Equal([("anomalies", "st-1"), ("anomalies", "st-1"), ("anomalies", "st-unknown")], dapr.StateReads);
        Assert.NotNull(read);
        Assert.Equal(anomaly.TransactionId, read.TransactionId);
        Assert.Equal(anomaly.Amount, read.Amount);
        Assert.Equal(AnomalyStatus.Open, read.Status);
        Assert.Null(missing);
    }

    [Fact]
    public async Task The_transaction_publisher_publishes_each_transaction_on_pubsub_transactions_keyed_by_account()
    {
        var dapr = new RecordingDaprClient();
        var publisher = new DaprTransactionPublisher(dapr);
        Transaction[] batch =
        [
            new() { TransactionId = "p-1", AccountId = "acc-1", Timestamp = Events.T0, Amount = 10m, Channel = Channel.Online },
            new() { TransactionId = "p-2", AccountId = "acc-2", Timestamp = Events.T0, Amount = 20m },
            new() { TransactionId = "p-3", AccountId = "acc-1", Timestamp = Events.T0.AddSeconds(1), Amount = 30m },
        ];

        var result = await publisher.PublishAsync(batch, CancellationToken.None);

        Assert.Equal(3, result.Accepted);
        Assert.Empty(result.Failures);
        var calls = dapr.Publishes.OrderBy(p => p.Json.GetProperty("transactionId").GetString()).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal("pubsub", c.PubSub);
            Assert.Equal("transactions", c.Topic);
            Assert.Equal(typeof(Transaction), c.DataType);
            Assert.Equal(c.Json.GetProperty("accountId").GetString(), c.PartitionKey);
            Assert.Single(c.Metadata!);
        });
        Assert.Equal(["acc-1", "acc-2", "acc-1"], calls.Select(c => c.PartitionKey));
        Assert.Equal("online", calls[0].Json.GetProperty("channel").GetString());
        Assert.Equal(20m, calls[1].Json.GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task The_transaction_publisher_reports_each_transaction_the_sidecar_refused_publishes_other_accounts_and_holds_back_the_accounts_later_ones()
    {
        var dapr = new RecordingDaprClient
        {
            PublishFailure = call => call.PartitionKey == "acc-down"
                ? new DaprException("Publish operation failed", new InvalidOperationException("kafka: broker not available"))
                : null,
        };
        var publisher = new DaprTransactionPublisher(dapr);
        Transaction[] batch =
        [
            new() { TransactionId = "q-1", AccountId = "acc-up", Timestamp = Events.T0, Amount = 1m },
            new() { TransactionId = "q-2", AccountId = "acc-down", Timestamp = Events.T0, Amount = 2m },
            new() { TransactionId = "q-3", AccountId = "acc-up", Timestamp = Events.T0, Amount = 3m },
            new() { TransactionId = "q-4", AccountId = "acc-down", Timestamp = Events.T0, Amount = 4m },
        ];

        var result = await publisher.PublishAsync(batch, CancellationToken.None);

        Assert.Equal(2, result.Accepted);
        var failures = result.Failures.OrderBy(f => f.TransactionId).ToList();
        Assert.Equal(["q-2", "q-4"], failures.Select(f => f.TransactionId));
        Assert.Equal("kafka: broker not available", failures[0].Error);
        // q-4 is not even tried: published after q-2 failed, it would overtake q-2 on the partition once the client resends.
        Assert.StartsWith("not published, to keep the account's order", failures[1].Error, StringComparison.Ordinal);
        Assert.Equal(["q-1", "q-3"], dapr.Publishes.Select(p => p.Json.GetProperty("transactionId").GetString()));
    }

    [Fact]
    public async Task Verdicts_dead_letters_and_alerts_go_to_their_topics_with_the_right_keys()
    {
        var dapr = new RecordingDaprClient();
        var events = new DaprEventPublisher(dapr);
        var verdict = new Verdict
        {
            TransactionId = "v-1", AccountId = "acc-v", MerchantId = "m-v", TransactionTime = Events.T0,
            Status = AnomalyStatus.ConfirmedFraud, ReviewedBy = "analyst", ReviewedAt = DetectorHost.Now,
        };

        await events.PublishVerdictAsync(verdict, CancellationToken.None);
        await events.PublishDeadLetterAsync(new Fraud.Contracts.DeadLetter("transactions", "e-9", "{}", [new FieldError("amount", "is required")], DetectorHost.Now), CancellationToken.None);
        await events.PublishAnomaliesAsync([], CancellationToken.None);

        Assert.Equal(2, dapr.Publishes.Count);
        var feedback = Assert.Single(dapr.PublishesTo("feedback"));
        Assert.Equal("pubsub", feedback.PubSub);
        Assert.Equal("acc-v", feedback.PartitionKey);
        Assert.Equal("confirmed_fraud", feedback.Json.GetProperty("status").GetString());
        Assert.Equal("v-1", feedback.Json.GetProperty("transactionId").GetString());
        Assert.False(feedback.Json.TryGetProperty("isFraud", out _));
        var letter = Assert.Single(dapr.PublishesTo("transactions-deadletter"));
        Assert.Equal("pubsub", letter.PubSub);
        Assert.Equal("amount", letter.Json.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task Readiness_asks_the_sidecar_for_its_outbound_health()
    {
        await using var host = await DetectorHost.StartAsync();

        var (healthy, _) = await host.GetAsync("/health/ready");
        var checks = host.Dapr.HealthChecks;
        host.Dapr.SidecarHealthy = false;
        var (unhealthy, body) = await host.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, healthy);
        Assert.True(checks >= 1);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy);
        using (body)
        {
            Assert.Equal("Unhealthy", body!.RootElement.GetProperty("checks").GetProperty("dapr").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task An_unreachable_ledger_leaves_the_detector_ready_so_the_sidecar_keeps_its_subscriptions_and_actors()
    {
        await using var host = await DetectorHost.StartAsync();
        host.Ledger.Unreachable = true;

        var (ready, _) = await host.GetAsync("/health/ready");
        var (health, body) = await host.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health);
        using (body)
        {
            Assert.Equal("Unhealthy", body!.RootElement.GetProperty("checks").GetProperty("ledger").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Embedded_readiness_fails_while_ledger_commits_fail_though_the_ledger_still_answers()
    {
        await using var host = await DetectorHost.StartAsync(Fraud.Runtime.RuntimeMode.Embedded);
        var pipeline = host.Get<Fraud.Runtime.Messaging.IEventHandler<Transaction>>();
        static Transaction Tx(string id) => new() { TransactionId = id, AccountId = "acc-df", Timestamp = Events.T0, Amount = 5m };

        host.Ledger.WriteFailure = new IOException("No space left on device");
        await Assert.ThrowsAnyAsync<Exception>(() => pipeline.HandleAsync([Tx("df-1")], CancellationToken.None));
        var (unready, body) = await host.GetAsync("/health/ready");
        host.Ledger.WriteFailure = null;
        await pipeline.HandleAsync([Tx("df-2")], CancellationToken.None);
        var (ready, _) = await host.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unready);
        using (body)
        {
            var ledger = body!.RootElement.GetProperty("checks").GetProperty("ledger");
            Assert.Equal("Unhealthy", ledger.GetProperty("status").GetString());
            Assert.Contains("commits are failing: No space left on device", ledger.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, ready);
    }
}
