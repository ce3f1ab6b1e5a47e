using System.Net;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Detector.Detection;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Detector.Feedback;
using Fraud.Detector.Models;
using Fraud.Detector.Observability;
using Fraud.Detector.Profiles;
using Fraud.Detector.Subscriptions;
using Fraud.Detector.Tests.Infrastructure;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Ledger.Sqlite;
using Fraud.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Fraud.Detector.Tests.Feedback;

/// <summary>Analyst verdicts on <c>/subscriptions/feedback</c>, and labels shared between detectors through the ledger.</summary>
public sealed class FeedbackTests
{
    [Fact]
    public async Task A_confirmed_fraud_verdict_is_recorded_in_the_ledger_and_credited_to_the_account()
    {
        await using var host = await DetectorHost.StartAsync();
        await DeliverAsync(host, "fb-1", "acc-fb", Events.T0);
        var before = await KnownFraudAsync(host, "acc-fb");

        var status = await SendVerdictAsync(host, Events.Verdict("fb-1", "acc-fb", Events.T0, "confirmed_fraud", merchant: "merch-fb"));

        Assert.Equal(DeliveryStatus.Success, status);
        var label = Assert.Single(await host.Ledger.LabelsAfterAsync(0, 10, CancellationToken.None)).Label;
        Assert.Equal(new FraudLabel("fb-1", "acc-fb", "merch-fb", Events.T0, IsFraud: true), label);
        Assert.Equal(0f, before);
        Assert.True(await KnownFraudAsync(host, "acc-fb") > 0.5f);
        Assert.Equal(["fb-1"], host.Profiles.Account("acc-fb")!.CreditedLabels);
    }

    [Fact]
    public async Task A_false_positive_is_recorded_as_not_fraud_and_a_dismissal_or_an_unknown_transaction_records_nothing()
    {
        await using var host = await DetectorHost.StartAsync();
        await DeliverAsync(host, "fp-1", "acc-fp", Events.T0);
        await DeliverAsync(host, "fp-2", "acc-fp", Events.T0.AddMinutes(1));

        var falsePositive = await SendVerdictAsync(host, Events.Verdict("fp-1", "acc-fp", Events.T0, "false_positive"));
        var dismissed = await SendVerdictAsync(host, Events.Verdict("fp-2", "acc-fp", Events.T0.AddMinutes(1), "dismissed"));
        var unknown = await SendVerdictAsync(host, Events.Verdict("fp-unknown", "acc-fp", Events.T0, "confirmed_fraud"));

        Assert.Equal([DeliveryStatus.Success, DeliveryStatus.Success, DeliveryStatus.Success], [falsePositive, dismissed, unknown]);
        var label = Assert.Single(await host.Ledger.LabelsAfterAsync(0, 10, CancellationToken.None)).Label;
        Assert.Equal(("fp-1", false), (label.TransactionId, label.IsFraud));
        Assert.Equal(0f, await KnownFraudAsync(host, "acc-fp"));
    }

    [Fact]
    public async Task A_false_positive_vouches_for_its_device_and_country_and_a_confirmed_fraud_does_not()
    {
        await using var host = await DetectorHost.StartAsync();
        for (var day = 0; day < 6; day++)
        {
            await DeliverJsonAsync(host, Events.Transaction($"v-{day}", "acc-v", Events.T0.AddDays(day), 42m, "merch-v").Replace("\"country\":\"FR\"", "\"country\":\"FR\",\"deviceId\":\"phone\"", StringComparison.Ordinal));
        }

        var elsewhere = Events.T0.AddDays(6);
        string Abroad(string id, string device, string country, DateTimeOffset at) =>
            Events.Transaction(id, "acc-v", at, 42m, "merch-v").Replace("\"country\":\"FR\"", $"\"country\":\"{country}\",\"deviceId\":\"{device}\"", StringComparison.Ordinal);
        await DeliverJsonAsync(host, Abroad("v-fraud", "burner", "BR", elsewhere));
        await DeliverJsonAsync(host, Abroad("v-fp", "tablet", "DE", elsewhere.AddMinutes(5)));

        Assert.Equal((1f, 1f), await NoveltyAsync(host, "tablet", "DE", elsewhere.AddMinutes(10)));
        Assert.Equal(DeliveryStatus.Success, await SendVerdictAsync(host, Events.Verdict("v-fp", "acc-v", elsewhere.AddMinutes(5), "false_positive")));
        Assert.Equal(DeliveryStatus.Success, await SendVerdictAsync(host, Events.Verdict("v-fraud", "acc-v", elsewhere, "confirmed_fraud")));

        // The same day, before either is seen on a second day: the reviewed device and country are known, the fraud's are not.
        Assert.Equal((0f, 0f), await NoveltyAsync(host, "tablet", "DE", elsewhere.AddMinutes(10)));
        Assert.Equal((1f, 1f), await NoveltyAsync(host, "burner", "BR", elsewhere.AddMinutes(10)));
        var writes = host.Profiles.Writes.Count;
        Assert.Equal(DeliveryStatus.Success, await SendVerdictAsync(host, Events.Verdict("v-fp", "acc-v", elsewhere.AddMinutes(5), "false_positive")));
        Assert.Equal(writes, host.Profiles.Writes.Count); // a repeated verdict changes nothing
    }

    [Fact]
    public async Task A_verdict_whose_account_cannot_be_updated_is_retried_and_then_credited()
    {
        await using var host = await DetectorHost.StartAsync();
        await DeliverAsync(host, "rt-1", "acc-rt", Events.T0);
        var verdict = Events.Verdict("rt-1", "acc-rt", Events.T0, "confirmed_fraud");

        host.Profiles.WriteFailure = true;
        var first = await SendVerdictAsync(host, verdict);
        host.Profiles.WriteFailure = false;
        var retried = await SendVerdictAsync(host, verdict);

        Assert.Equal(DeliveryStatus.Retry, first);
        Assert.Equal(DeliveryStatus.Success, retried);
        Assert.Single(await host.Ledger.LabelsAfterAsync(0, 10, CancellationToken.None));
        var credited = await KnownFraudAsync(host, "acc-rt");
        Assert.InRange(credited, 0.9f, 1.1f);
    }

    [Fact]
    public async Task A_redelivered_verdict_credits_the_account_once()
    {
        await using var host = await DetectorHost.StartAsync();
        await DeliverAsync(host, "dup-1", "acc-dup", Events.T0);
        var verdict = Events.Verdict("dup-1", "acc-dup", Events.T0, "confirmed_fraud");

        Assert.Equal(DeliveryStatus.Success, await SendVerdictAsync(host, verdict));
        var once = await KnownFraudAsync(host, "acc-dup");
        Assert.Equal(DeliveryStatus.Success, await SendVerdictAsync(host, verdict));

        Assert.InRange(once, 0.9f, 1.1f);
        Assert.Equal(once, await KnownFraudAsync(host, "acc-dup"));
        Assert.Single(await host.Ledger.LabelsAfterAsync(0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_verdict_is_dead_lettered_once_on_feedback_deadletter_and_dropped()
    {
        await using var host = await DetectorHost.StartAsync();
        var counter = DetectorMetrics.DeadLetters.WithLabels("feedback-deadletter");
        var before = counter.Value;

        var missingFields = await SendVerdictAsync(host, """{"transactionId":"mv-1","status":"confirmed_fraud"}""");
        var badStatus = await SendVerdictAsync(host, Events.Verdict("mv-2", "acc-mv", Events.T0, "guilty"));

        Assert.Equal(DeliveryStatus.Drop, missingFields);
        Assert.Equal(DeliveryStatus.Drop, badStatus);
        Assert.Equal(2, counter.Value - before);
        Assert.Empty(await host.Ledger.LabelsAfterAsync(0, 10, CancellationToken.None));
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("fraud_dead_letters_total{topic=\"feedback-deadletter\"}", metrics, StringComparison.Ordinal);
        var letters = host.Dapr.PublishesTo("feedback-deadletter");
        Assert.Equal(2, letters.Count);
        Assert.All(letters, l => Assert.Equal("feedback", l.Json.GetProperty("topic").GetString()));
        Assert.Contains(letters, l => l.Json.GetProperty("payload").GetString()!.Contains("mv-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Merchant_label_sync_applies_labels_recorded_by_another_instance_once_each()
    {
        using var directory = TempDirectory.Create("merchant-sync");
        using var ledger = new SqliteLedger(directory.Combine("ledger.db"), new LedgerOptions());
        await ledger.MigrateAsync(CancellationToken.None);
        var merchants = new MerchantProfiles(new ProfileOptions());
        var sync = new LabelSync(ledger, merchants, Models(), Options.Create(new DetectorOptions()), new FakeTimeProvider(DetectorHost.Now),
            NullLogger<LabelSync>.Instance);
        Transaction[] seen =
        [
            Tx("ms-1", "m-x", Events.T0), Tx("ms-2", "m-x", Events.T0.AddMinutes(5)), Tx("ms-3", "m-y", Events.T0.AddMinutes(6)),
        ];
        foreach (var tx in seen)
        {
            merchants.Observe(tx.MerchantId!, new TransactionView(tx), new float[FeatureVector.Length], add: true);
        }

        await ledger.WriteAsync([.. seen.Select(tx => new ScoredTransaction(tx, 0.1, Severity.None, [], "rules-only", DetectorHost.Now))], CancellationToken.None);

        // Another detector received these verdicts and recorded them.
        await ledger.RecordLabelAsync(new FraudLabel("ms-1", "acc-ms", "m-x", Events.T0, true), DetectorHost.Now, CancellationToken.None);
        await ledger.RecordLabelAsync(new FraudLabel("ms-3", "acc-ms", "m-y", Events.T0.AddMinutes(6), false), DetectorHost.Now, CancellationToken.None);
        var applied = await sync.SyncOnceAsync(CancellationToken.None);
        var again = await sync.SyncOnceAsync(CancellationToken.None);

        Assert.Equal(1, applied);
        Assert.Equal(0, again);
        Assert.Equal(1, sync.Applied);
        Assert.Equal(1f, MerchantFeature(merchants, "m-x", Feature.MerchantKnownFrauds30d));
        Assert.Equal(0f, MerchantFeature(merchants, "m-y", Feature.MerchantKnownFrauds30d));

        await ledger.RecordLabelAsync(new FraudLabel("ms-2", "acc-ms", "m-x", Events.T0.AddMinutes(5), true), DetectorHost.Now, CancellationToken.None);
        Assert.Equal(1, await sync.SyncOnceAsync(CancellationToken.None));
        Assert.Equal(2f, MerchantFeature(merchants, "m-x", Feature.MerchantKnownFrauds30d));
    }

    [Fact]
    public async Task Merchant_label_sync_starts_after_the_labels_already_recorded_and_polls_on_its_interval()
    {
        using var directory = TempDirectory.Create("merchant-poll");
        using var ledger = new SqliteLedger(directory.Combine("ledger.db"), new LedgerOptions());
        await ledger.MigrateAsync(CancellationToken.None);
        var merchants = new MerchantProfiles(new ProfileOptions());
        var time = new FakeTimeProvider(DetectorHost.Now);
        var options = new DetectorOptions { LabelSyncInterval = TimeSpan.FromSeconds(5) };
        var sync = new LabelSync(ledger, merchants, Models(), Options.Create(options), time, NullLogger<LabelSync>.Instance);
        Transaction[] seen = [Tx("mp-1", "m-p", Events.T0), Tx("mp-2", "m-p", Events.T0.AddMinutes(1))];
        foreach (var tx in seen)
        {
            merchants.Observe(tx.MerchantId!, new TransactionView(tx), new float[FeatureVector.Length], add: true);
        }

        await ledger.WriteAsync([.. seen.Select(tx => new ScoredTransaction(tx, 0.1, Severity.None, [], "rules-only", DetectorHost.Now))], CancellationToken.None);
        await ledger.RecordLabelAsync(new FraudLabel("mp-1", "acc-mp", "m-p", Events.T0, true), DetectorHost.Now, CancellationToken.None);
        var existing = (await ledger.LabelsAfterAsync(0, 10, CancellationToken.None))[^1].Sequence;

        await sync.StartAsync(CancellationToken.None);
        try
        {
            await Eventually(() => sync.Watermark == existing);
            await ledger.RecordLabelAsync(new FraudLabel("mp-2", "acc-mp", "m-p", Events.T0.AddMinutes(1), true), DetectorHost.Now, CancellationToken.None);
            // The timer is made once the start watermark is read; tick until the new label is applied.
            await Eventually(() =>
            {
                if (sync.Applied >= 1)
                {
                    return true;
                }

                time.Advance(options.LabelSyncInterval);
                return false;
            });
        }
        finally
        {
            await sync.StopAsync(CancellationToken.None);
        }

        Assert.Equal(1, sync.Applied);
        Assert.Equal(1f, MerchantFeature(merchants, "m-p", Feature.MerchantKnownFrauds30d));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }

    private static Transaction Tx(string id, string merchant, DateTimeOffset time) =>
        new() { TransactionId = id, AccountId = "acc-ms", Timestamp = time, Amount = 25m, MerchantId = merchant };

    private static float MerchantFeature(MerchantProfiles merchants, string merchant, Feature feature)
    {
        var probe = new Transaction { TransactionId = "probe", AccountId = "acc-probe", Timestamp = Events.T0.AddHours(2), Amount = 25m, MerchantId = merchant };
        var row = new float[FeatureVector.Length];
        merchants.Observe(merchant, new TransactionView(probe), row, add: false);
        return row[(int)feature];
    }

    private static Task DeliverAsync(DetectorHost host, string id, string account, DateTimeOffset time) =>
        DeliverJsonAsync(host, Events.Transaction(id, account, time, 42m, "merch-fb"));

    private static async Task DeliverJsonAsync(DetectorHost host, string transaction)
    {
        var statuses = await host.DeliverBulkAsync(Events.Bulk(Events.CloudEventEntry("e", transaction)));
        Assert.Equal(DeliveryStatus.Success, statuses["e"]);
    }

    private static async Task<string> SendVerdictAsync(DetectorHost host, string verdictJson)
    {
        var (status, body) = await host.PostAsync("/subscriptions/feedback", Events.CloudEvent(verdictJson, topic: "feedback"),
            contentType: "application/cloudevents+json");
        Assert.Equal(HttpStatusCode.OK, status);
        using (body)
        {
            return body!.RootElement.GetProperty("status").GetString()!;
        }
    }

    /// <summary>Whether a device and a country are new for <c>acc-v</c>, as its stored profile says now (a peek changes nothing).</summary>
    private static async Task<(float Device, float Country)> NoveltyAsync(DetectorHost host, string device, string country, DateTimeOffset at)
    {
        var probe = new Transaction { TransactionId = "probe", AccountId = "acc-v", Timestamp = at, Amount = 42m, DeviceId = device, Country = country };
        var features = new float[FeatureVector.Length];
        await host.Get<IAccountProfiles>().ObserveAsync([probe], features, new bool[1], peek: true, CancellationToken.None);
        return (features[(int)Feature.NewDeviceForAccount], features[(int)Feature.NewCountryForAccount]);
    }

    /// <summary>The account's known-fraud feature as the stored profile gives it now (a peek changes nothing).</summary>
    private static async Task<float> KnownFraudAsync(DetectorHost host, string account)
    {
        var probe = new Transaction { TransactionId = "probe", AccountId = account, Timestamp = Events.T0.AddHours(1), Amount = 10m };
        var features = new float[FeatureVector.Length];
        await host.Get<IAccountProfiles>().ObserveAsync([probe], features, new bool[1], peek: true, CancellationToken.None);
        return features[(int)Feature.AccountKnownFraud30d];
    }

    private static ModelHost Models() => new(Options.Create(new DetectorOptions()), Options.Create(new ScoringOptions()),
        Options.Create(new RuleOptions()), TimeProvider.System, NullLogger<ModelHost>.Instance);
}
