using System.Net;
using System.Text.Json;
using Dapr;
using Fraud.Detector.Observability;
using Fraud.Detector.Subscriptions;
using Fraud.Detector.Tests.Infrastructure;

namespace Fraud.Detector.Tests.Dapr;

/// <summary>
/// Deliveries to <c>/subscriptions/transactions</c> over HTTP, in Dapr's wire format (bulk envelope,
/// CloudEvents, raw and base64 raw payloads), and the per-entry SUCCESS / RETRY / DROP answers.
/// </summary>
public sealed class TransactionDeliveryTests
{
    [Fact]
    public async Task Bulk_delivery_takes_cloud_events_raw_json_and_base64_raw_payloads_and_answers_each_entry_success()
    {
        await using var host = await DetectorHost.StartAsync();
        string Tx(int i) => Events.Transaction($"fmt-{i}", "acc-fmt", Events.T0.AddMinutes(i), 10m + i);

        var statuses = await host.DeliverBulkAsync(Events.Bulk(
            Events.CloudEventEntry("ce-object", Tx(1)),
            ("ce-text", Events.CloudEventWithTextData(Tx(2)), "application/cloudevents+json"),
            ("ce-base64", Events.CloudEventWithBase64Data(Tx(3)), "application/cloudevents+json"),
            Events.RawEntry("raw-json", Tx(4)),
            Events.RawPayloadEntry("raw-base64", Tx(5)),
            Events.RawPayloadEntry("raw-base64-cloud-event", Events.CloudEvent(Tx(6)))));

        Assert.Equal(6, statuses.Count);
        Assert.All(statuses.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        for (var i = 1; i <= 6; i++)
        {
            var row = await host.Ledger.GetTransactionAsync($"fmt-{i}", CancellationToken.None);
            Assert.NotNull(row);
            Assert.Equal("acc-fmt", row.AccountId);
            Assert.Equal(10m + i, row.Amount);
            Assert.Equal(Events.T0.AddMinutes(i), row.Timestamp);
        }

        Assert.Equal(6, host.Profiles.Profile("acc-fmt")!.TransactionCount);
        Assert.Empty(host.Dapr.PublishesTo("transactions-deadletter"));
    }

    [Fact]
    public async Task Malformed_entries_are_dropped_to_the_dead_letter_topic_with_their_errors_while_the_others_succeed()
    {
        await using var host = await DetectorHost.StartAsync();
        var deadLettersBefore = DetectorMetrics.DeadLetters.WithLabels("transactions-deadletter").Value;
        const string bad = """{"transactionId":"bad-1","timestamp":"2026-03-02T09:00:00Z","amount":-5}""";

        var statuses = await host.DeliverBulkAsync(Events.Bulk(
            Events.CloudEventEntry("good-a", Events.Transaction("mix-1", "acc-mix", Events.T0, 12m)),
            Events.CloudEventEntry("bad-fields", bad),
            Events.RawPayloadEntry("not-json", "not json at all"),
            ("a-number", "42", "application/json"),
            Events.RawEntry("good-b", Events.Transaction("mix-2", "acc-mix", Events.T0.AddMinutes(1), 13m))));

        Assert.Equal(DeliveryStatus.Success, statuses["good-a"]);
        Assert.Equal(DeliveryStatus.Success, statuses["good-b"]);
        Assert.Equal(DeliveryStatus.Drop, statuses["bad-fields"]);
        Assert.Equal(DeliveryStatus.Drop, statuses["not-json"]);
        Assert.Equal(DeliveryStatus.Drop, statuses["a-number"]);
        Assert.NotNull(await host.Ledger.GetTransactionAsync("mix-1", CancellationToken.None));
        Assert.NotNull(await host.Ledger.GetTransactionAsync("mix-2", CancellationToken.None));
        Assert.Null(await host.Ledger.GetTransactionAsync("bad-1", CancellationToken.None));

        var letters = host.Dapr.PublishesTo("transactions-deadletter");
        Assert.Equal(3, letters.Count);
        Assert.All(letters, l => Assert.Equal("pubsub", l.PubSub));
        var letter = Assert.Single(letters, l => l.Json.GetProperty("entryId").GetString() == "bad-fields").Json;
        Assert.Equal("transactions", letter.GetProperty("topic").GetString());
        Assert.Contains("bad-1", letter.GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.Equal(DetectorHost.Now, letter.GetProperty("receivedAt").GetDateTimeOffset());
        var paths = letter.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains("amount", paths);
        Assert.Contains("accountId", paths);
        Assert.All(letter.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
        Assert.True(DetectorMetrics.DeadLetters.WithLabels("transactions-deadletter").Value - deadLettersBefore >= 3);
    }

    [Fact]
    public async Task A_ledger_failure_answers_retry_for_the_valid_entries_keeps_drop_and_the_redelivery_counts_once()
    {
        await using var host = await DetectorHost.StartAsync();
        var burst = Events.CardTestingBurst("acc-ledger", "led", Events.T0);
        var entries = burst.Select((tx, i) => Events.CloudEventEntry($"e{i}", tx))
            .Append(Events.CloudEventEntry("malformed", """{"transactionId":"x"}""")).ToArray();

        host.Ledger.WriteFailure = new TimeoutException("ledger unreachable");
        var first = await host.DeliverBulkAsync(Events.Bulk(entries));

        Assert.Equal(DeliveryStatus.Drop, first["malformed"]);
        Assert.All(first.Where(s => s.Key != "malformed"), s => Assert.Equal(DeliveryStatus.Retry, s.Value));
        Assert.Equal(0, host.Ledger.RowsWritten);

        // Dapr redelivers the entries answered RETRY once the ledger is back.
        host.Ledger.WriteFailure = null;
        var again = await host.DeliverBulkAsync(Events.Bulk([.. entries.Where(e => first[e.EntryId] == DeliveryStatus.Retry)]));

        Assert.Equal(6, again.Count);
        Assert.All(again.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(6, host.Ledger.RowsWritten);
        Assert.Equal(6, host.Profiles.Profile("acc-ledger")!.TransactionCount);
        Assert.Single(host.Dapr.PublishesTo("transactions-deadletter"));
    }

    [Fact]
    public async Task More_transactions_of_one_account_than_its_profile_remembers_are_counted_once_through_failed_commits_and_late_resends()
    {
        await using var host = await DetectorHost.StartAsync();
        var transactions = Enumerable.Range(0, 40).Select(i => Events.Transaction($"many-{i}", "acc-many", Events.T0.AddMinutes(i), 20m + i)).ToList();
        var entries = transactions.Select((tx, i) => Events.CloudEventEntry($"e{i}", tx)).ToArray();

        // Folded into the profile, then the commit fails: the redelivery must not fold them again.
        host.Ledger.WriteFailure = new TimeoutException("ledger unreachable");
        var first = await host.DeliverBulkAsync(Events.Bulk(entries));
        Assert.All(first.Values, s => Assert.Equal(DeliveryStatus.Retry, s));
        host.Ledger.WriteFailure = null;
        var again = await host.DeliverBulkAsync(Events.Bulk(entries));
        Assert.All(again.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(40, host.Profiles.Profile("acc-many")!.TransactionCount);
        Assert.Equal(40, host.Ledger.RowsWritten);
        Assert.Equal(0, host.Get<Fraud.Detector.Detection.RecordedCopies>().Held);

        // A producer resends the batch much later, one of them with another amount: the first copies stand.
        var conflictsBefore = Fraud.Runtime.Observability.RuntimeMetrics.ResendConflicts.Value;
        var resent = entries.ToArray();
        resent[7] = Events.CloudEventEntry("e7", Events.Transaction("many-7", "acc-many", Events.T0.AddMinutes(7), 9_500m));
        var late = await host.DeliverBulkAsync(Events.Bulk(resent));
        Assert.All(late.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(40, host.Profiles.Profile("acc-many")!.TransactionCount);
        Assert.Equal(40, host.Ledger.RowsWritten);
        Assert.Equal(27m, (await host.Ledger.GetTransactionAsync("many-7", CancellationToken.None))!.Amount);
        Assert.Equal(1, Fraud.Runtime.Observability.RuntimeMetrics.ResendConflicts.Value - conflictsBefore);
    }

    [Fact]
    public async Task An_id_twice_in_one_delivery_is_scored_once_from_its_first_copy()
    {
        await using var host = await DetectorHost.StartAsync();
        var statuses = await host.DeliverBulkAsync(Events.Bulk(
            Events.CloudEventEntry("first", Events.Transaction("twice-1", "acc-twice", Events.T0, 21m)),
            Events.CloudEventEntry("other", Events.Transaction("twice-2", "acc-twice", Events.T0.AddMinutes(1), 22m)),
            Events.CloudEventEntry("second", Events.Transaction("twice-1", "acc-twice", Events.T0.AddMinutes(5), 9_500m))));

        Assert.All(statuses.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(2, host.Profiles.Profile("acc-twice")!.TransactionCount);
        Assert.Equal(21m, (await host.Ledger.GetTransactionAsync("twice-1", CancellationToken.None))!.Amount);
    }

    [Fact]
    public async Task An_anomaly_state_failure_answers_retry_and_the_redelivery_counts_each_transaction_once()
    {
        await using var host = await DetectorHost.StartAsync();
        var entries = Events.CardTestingBurst("acc-state", "st", Events.T0).Select((tx, i) => Events.CloudEventEntry($"e{i}", tx)).ToArray();

        host.Dapr.SaveFailure = _ => new DaprException("State operation failed: the state store anomalies is not reachable");
        var first = await host.DeliverBulkAsync(Events.Bulk(entries));
        host.Dapr.SaveFailure = null;
        var again = await host.DeliverBulkAsync(Events.Bulk(entries));

        Assert.All(first.Values, s => Assert.Equal(DeliveryStatus.Retry, s));
        Assert.All(again.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(6, host.Profiles.Profile("acc-state")!.TransactionCount);
        Assert.Equal(6, host.Ledger.RowsWritten);
        var saved = Assert.Single(host.Dapr.StateSaves);
        Assert.Equal("st-5", Assert.Single(saved.Items).Key);
        Assert.NotNull(await host.Ledger.GetAnomalyAsync("st-5", CancellationToken.None));
    }

    [Fact]
    public async Task A_dead_letter_that_cannot_be_published_is_answered_retry_so_nothing_is_lost()
    {
        await using var host = await DetectorHost.StartAsync();
        host.Dapr.PublishFailure = call => call.Topic == "transactions-deadletter" ? new DaprException("pubsub pubsub is not reachable") : null;

        var statuses = await host.DeliverBulkAsync(Events.Bulk(
            Events.CloudEventEntry("good", Events.Transaction("dl-1", "acc-dl", Events.T0, 20m)),
            Events.CloudEventEntry("bad", """{"accountId":"acc-dl"}""")));

        Assert.Equal(DeliveryStatus.Success, statuses["good"]);
        Assert.Equal(DeliveryStatus.Retry, statuses["bad"]);
        Assert.Empty(host.Dapr.PublishesTo("transactions-deadletter"));
        Assert.NotNull(await host.Ledger.GetTransactionAsync("dl-1", CancellationToken.None));
    }

    [Fact]
    public async Task The_same_transaction_twice_in_one_delivery_is_scored_once_and_both_entries_succeed()
    {
        await using var host = await DetectorHost.StartAsync();
        var tx = Events.Transaction("twice-1", "acc-twice", Events.T0, 33m);

        var statuses = await host.DeliverBulkAsync(Events.Bulk(
            Events.CloudEventEntry("first", tx),
            Events.RawEntry("second", tx),
            Events.CloudEventEntry("other", Events.Transaction("twice-2", "acc-twice", Events.T0.AddMinutes(1), 34m))));

        Assert.All(statuses.Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(3, statuses.Count);
        Assert.Equal(2, host.Profiles.Profile("acc-twice")!.TransactionCount);
        Assert.Equal(2, host.Ledger.RowsWritten);
        Assert.Equal(["acc-twice"], Assert.Single(host.Profiles.Writes).Items.Select(w => w.AccountId));
    }

    [Fact]
    public async Task A_redelivered_batch_is_not_counted_twice_in_the_profile_or_the_ledger()
    {
        await using var host = await DetectorHost.StartAsync();
        var body = Events.Bulk([.. Events.CardTestingBurst("acc-redo", "redo", Events.T0).Select((tx, i) => Events.CloudEventEntry($"e{i}", tx))]);

        var first = await host.DeliverBulkAsync(body);
        var profileAfterFirst = host.Profiles.Account("acc-redo")!.Profile;
        var firstRow = await host.Ledger.GetTransactionAsync("redo-5", CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(3));
        var second = await host.DeliverBulkAsync(body);

        Assert.All(first.Values.Concat(second.Values), s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(6, host.Profiles.Profile("acc-redo")!.TransactionCount);
        Assert.Equal(profileAfterFirst, host.Profiles.Account("acc-redo")!.Profile);
        Assert.Single(host.Profiles.Writes); // the redelivery changed nothing, so wrote nothing
        Assert.Equal(6, host.Ledger.RowsWritten);
        var row = await host.Ledger.GetTransactionAsync("redo-5", CancellationToken.None);
        Assert.NotNull(row);
        Assert.Equal(DetectorHost.Now, row.ScoredAt);
        Assert.Equal(firstRow!.Score, row.Score);
        var stats = await host.Ledger.StatsAsync(DetectorHost.Now.AddHours(-1), DetectorHost.Now.AddHours(1), CancellationToken.None);
        Assert.Equal(6, stats.Transactions);
    }

    [Fact]
    public async Task A_single_cloud_event_delivery_is_answered_with_one_status()
    {
        await using var host = await DetectorHost.StartAsync();

        var (okStatus, ok) = await host.PostAsync("/subscriptions/transactions",
            Events.CloudEvent(Events.Transaction("single-1", "acc-single", Events.T0, 44m)), contentType: "application/cloudevents+json");
        var (badStatus, bad) = await host.PostAsync("/subscriptions/transactions",
            Events.CloudEvent("""{"transactionId":"single-2","accountId":"acc-single","amount":"lots"}"""), contentType: "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal(HttpStatusCode.OK, badStatus);
        using (ok)
        using (bad)
        {
            Assert.Equal(DeliveryStatus.Success, ok!.RootElement.GetProperty("status").GetString());
            Assert.Equal(DeliveryStatus.Drop, bad!.RootElement.GetProperty("status").GetString());
            Assert.False(ok.RootElement.TryGetProperty("statuses", out _));
        }

        Assert.NotNull(await host.Ledger.GetTransactionAsync("single-1", CancellationToken.None));
        var letter = Assert.Single(host.Dapr.PublishesTo("transactions-deadletter"));
        Assert.Contains(letter.Json.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "amount");
    }

    [Fact]
    public async Task Deliveries_are_refused_with_503_while_draining_so_dapr_redelivers_them_elsewhere()
    {
        await using var host = await DetectorHost.StartAsync();
        host.Get<DeliveryGate>().BeginDrain();

        var (status, _) = await host.PostAsync("/subscriptions/transactions",
            Events.Bulk(Events.CloudEventEntry("e0", Events.Transaction("drain-1", "acc-drain", Events.T0, 5m))));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Null(await host.Ledger.GetTransactionAsync("drain-1", CancellationToken.None));
        Assert.Empty(host.Profiles.Reads);
    }
}
