using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapr.Client;
using Xunit.Abstractions;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// The cluster path end to end, as two processes on Dapr: API → its sidecar → Kafka (by account)
/// → the detector's sidecar → bulk delivery → account profiles → anomaly state and ledger → the API
/// through its own sidecar → review → <c>feedback</c> → the detector. The sidecars are test
/// sidecars (tests/Fraud.DaprSidecar) with daprd's behaviour transcribed from its source; state is
/// in a real Redis, the ledger in a real PostgreSQL.
/// </summary>
public sealed partial class DaprModeEndToEndTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_card_testing_burst_goes_through_both_sidecars_to_an_anomaly_a_review_and_the_detectors_label()
    {
        await using var system = await DaprModeSystem.StartAsync();
        var history = Enumerable.Range(0, 21).Select(d => Transactions.One($"h-{d}", "acct-victim", Start.AddDays(d), 40 + d % 5));
        var burst = Enumerable.Range(0, 12).Select(i => Transactions.One($"b-{i}", "acct-victim", Start.AddDays(21).AddMinutes(i * 2.5), 1.00m, "merch-tester"));
        var quiet = Enumerable.Range(0, 30).Select(i => Transactions.One($"q-{i}", $"acct-{i}", Start.AddDays(21).AddMinutes(i), 25m));
        using (var ingest = await system.Api.Http.PostAsync("/transactions", Transactions.Json([.. history, .. burst, .. quiet])))
        {
            Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        }

        // Published through the API's sidecar, one message per transaction keyed by account: the
        // victim's 33 transactions share one partition, in the order they were sent.
        var published = system.Cluster.Broker.Read("transactions");
        Assert.Equal(63, published.Count);
        Assert.All(published, m => Assert.Equal(AccountOf(m.Value), m.Key));
        var victim = published.Where(m => m.Key == "acct-victim").ToList();
        Assert.Single(victim.Select(m => m.Partition).Distinct());
        Assert.Equal(
            [.. Enumerable.Range(0, 21).Select(d => $"h-{d}"), .. Enumerable.Range(0, 12).Select(i => $"b-{i}")],
            victim.OrderBy(m => m.Offset).Select(m => IdOf(m.Value)).ToList());

        await system.WaitForNoLagAsync("transactions", Settle);
        Assert.Equal(63, await system.LedgerCountAsync(""));
        Assert.Empty(system.Cluster.Broker.Read("transactions-deadletter"));

        // The anomaly is in the state store under the component's key prefix, with its TTL, and the
        // API reads it through its own sidecar.
        var redis = system.Cluster.RedisConnection.GetDatabase();
        Assert.True(await redis.KeyExistsAsync("anomalies||b-11"));
        Assert.InRange((await redis.KeyTimeToLiveAsync("anomalies||b-11"))!.Value, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        var readsBefore = system.Cluster.CallsOf("fraud-api", k => k == "grpc:GetState");
        using var one = await system.Api.Http.GetAsync("/anomalies/b-11");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(readsBefore + 1, system.Cluster.CallsOf("fraud-api", k => k == "grpc:GetState"));
        using (var body = JsonDocument.Parse(await one.Content.ReadAsStringAsync()))
        {
            Assert.Contains(body.RootElement.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "CARD_TESTING");
        }

        // Review with the ETag → the ledger, the state store and a verdict on `feedback`, which the
        // detector credits to the account's profile.
        using var review = new HttpRequestMessage(HttpMethod.Patch, "/anomalies/b-11")
        {
            Content = new StringContent("""{"status":"confirmed_fraud","note":"card testing"}""", Encoding.UTF8, "application/json"),
        };
        review.Headers.IfMatch.Add(one.Headers.ETag!);
        using (var reviewed = await system.Api.Http.SendAsync(review))
        {
            Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        }

        Assert.Single(system.Cluster.Broker.Read("feedback"));
        await system.WaitForNoLagAsync("feedback", Settle);
        // The profile store (the app-id key prefix) holds the account, with the fraud credited once.
        using (var account = JsonDocument.Parse((string)(await redis.HashGetAsync("fraud-detector||acct-victim", "data"))!))
        {
            Assert.Equal(["b-11"], account.RootElement.GetProperty("creditedLabels").EnumerateArray().Select(e => e.GetString()));
        }
        using (var stored = JsonDocument.Parse((string)(await redis.HashGetAsync("anomalies||b-11", "data"))!))
        {
            Assert.Equal("confirmed_fraud", stored.RootElement.GetProperty("status").GetString());
        }

        Assert.Empty(system.Cluster.Broker.Read("feedback-deadletter"));
        Assert.Equal(63, Counter(await MetricsAsync(system.Detectors[0].Process), "fraud_transactions_processed_total", "scored"));

        // POST /score on the API: service invocation through both sidecars to the detector, which
        // reads the same stored profile (the burst) without recording anything.
        var profileBefore = (string?)await redis.HashGetAsync("fraud-detector||acct-victim", "data");
        using (var score = await system.Api.Http.PostAsync("/score", new StringContent(
            Transactions.One("s-1", "acct-victim", Start.AddDays(21).AddMinutes(31), 1.00m, "merch-tester"), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, score.StatusCode);
            using var body = JsonDocument.Parse(await score.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("isAnomaly").GetBoolean());
            Assert.Contains(body.RootElement.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "CARD_TESTING");
        }

        Assert.Equal(1, system.ApiSidecar.CallsOf("invoke"));
        Assert.Equal(profileBefore, (string?)await redis.HashGetAsync("fraud-detector||acct-victim", "data"));
        using (var notRecorded = await system.Api.Http.GetAsync("/transactions/s-1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notRecorded.StatusCode);
        }
    }

    [Fact]
    public async Task A_malformed_entry_is_dead_lettered_once_and_the_rest_of_its_delivery_is_scored()
    {
        await using var system = await DaprModeSystem.StartAsync();

        // Another team's producer publishes through Dapr as the API does: two good transactions and
        // one with a negative amount for the same account, so all three share a partition and a delivery.
        using var producer = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{system.ApiSidecar.GrpcPort}")
            .UseDaprApiToken(system.ApiSidecar.AppEnvironment["DAPR_API_TOKEN"])
            .Build();
        // And an account id with a '/', which breaks URL paths and state keys downstream.
        foreach (var (id, account, amount) in new[] { ("p-1", "acct-p", 12.5m), ("p-bad", "acct-p", -5m), ("p-2", "acct-p", 13m), ("p-slash", "acct/7", 9m) })
        {
            using var tx = JsonDocument.Parse(Transactions.One(id, account, Start, amount));
            await producer.PublishEventAsync("pubsub", "transactions", tx.RootElement, new Dictionary<string, string> { ["partitionKey"] = account });
        }

        await system.WaitForNoLagAsync("transactions", Settle);
        var letters = system.Cluster.Broker.Read("transactions-deadletter")
            .Select(m => Encoding.UTF8.GetString(m.Value))
            .ToList();
        Assert.Equal(2, letters.Count);
        Assert.Single(letters, l => l.Contains("p-bad", StringComparison.Ordinal) && l.Contains("amount", StringComparison.Ordinal));
        Assert.Single(letters, l => l.Contains("p-slash", StringComparison.Ordinal) && l.Contains("accountId", StringComparison.Ordinal));

        Assert.Equal(2, await system.LedgerCountAsync("p-"));
        using var missing = await system.Api.Http.GetAsync("/transactions/p-bad");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var metrics = await MetricsAsync(system.Detectors[0].Process);
        Assert.Equal(2, Counter(metrics, "fraud_transactions_processed_total", "dead_letter"));
    }

    [Fact]
    public async Task A_state_store_outage_delays_deliveries_without_dead_letters_losses_or_double_counts()
    {
        await using var system = await DaprModeSystem.StartAsync();
        var redis = system.Cluster.Redis;

        await redis.StopAsync();
        var sent = Batch("o", accounts: 50, count: 400);
        using (var ingest = await system.Api.Http.PostAsync("/transactions", Transactions.Json(sent)))
        {
            // Publishing needs Kafka, not the state store: the API still acknowledges.
            Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(10));
        var group = system.Cluster.Broker.Group("transactions", system.Cluster.Settings.ConsumerGroup);
        Assert.Equal(400, group.Lag()); // nothing committed while the store is down: lag shows the outage
        Assert.Empty(system.Cluster.Broker.Read("transactions-deadletter"));
        await redis.StartAsync();

        await system.WaitForNoLagAsync("transactions", Settle);
        Assert.Empty(system.Cluster.Broker.Read("transactions-deadletter"));
        Assert.Equal(400, await system.LedgerCountAsync("o-"));
        var metrics = await MetricsAsync(system.Detectors[0].Process);
        Assert.Equal(400, Counter(metrics, "fraud_transactions_processed_total", "scored"));
        // The detector saw the outage: profile writes refused and read again, or deliveries given back.
        Assert.True(
            Counter(metrics, "fraud_transactions_processed_total", "retried") + Value(metrics, "fraud_profile_write_conflicts_total") > 0,
            "the outage was not seen by the detector");
    }

    [Fact]
    public async Task A_detector_stopped_during_deliveries_hands_its_partitions_to_another_and_nothing_is_lost()
    {
        await using var system = await DaprModeSystem.StartAsync(detectors: 2);
        var (firstSidecar, first) = system.Detectors[0];
        var secondSidecar = system.Detectors[1].Sidecar;
        var sent = Batch("s", accounts: 400, count: 4000);
        var ingest = system.Api.Http.PostAsync("/transactions", Transactions.Json(sent));

        // SIGTERM while the first detector is being delivered to: it finishes what it has, refuses
        // the rest (its sidecar retries them), and exits; then its pod's sidecar goes too.
        var deadline = DateTime.UtcNow + Settle;
        while (firstSidecar.CallsOf("app:deliver") < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.True(firstSidecar.CallsOf("app:deliver") >= 1, "the first detector was never delivered to");
        var exit = await first.TerminateAsync(TimeSpan.FromSeconds(60));
        var secondBefore = secondSidecar.CallsOf("app:deliver");
        await firstSidecar.StopAsync(); // its partitions move to the other detector
        Assert.Equal(0, exit);
        using (var response = await ingest)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await system.WaitForNoLagAsync("transactions", Settle);
        Assert.Empty(system.Cluster.Broker.Read("transactions-deadletter"));
        Assert.Equal(4000, await system.LedgerCountAsync("s-"));
        Assert.True(secondSidecar.CallsOf("app:deliver") > secondBefore, "the second detector took over no partition");

        // Each account's profile holds its 10 transactions exactly once, though its partition moved
        // between detectors mid-stream (and deliveries were redelivered).
        await AssertEveryProfileHoldsAsync(system, "s", accounts: 400, transactionsEach: 10);
        output.WriteLine(first.Output[^Math.Min(3000, first.Output.Length)..]);
    }

    [Fact]
    public async Task A_detector_joining_mid_stream_takes_partitions_over_and_no_profile_update_is_lost_or_counted_twice()
    {
        await using var system = await DaprModeSystem.StartAsync(detectors: 1);
        // Half the stream, a detector joins while it is being delivered, then the other half: every
        // account has transactions on both sides of the rebalance, so both detectors write its profile.
        var sent = Batch("j", accounts: 300, count: 6000);
        async Task PostAsync(IEnumerable<string> part)
        {
            foreach (var chunk in part.Chunk(500))
            {
                using var response = await system.Api.Http.PostAsync("/transactions", Transactions.Json(chunk));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
        }

        var firstHalf = PostAsync(sent.Take(3000));
        var deadline = DateTime.UtcNow + Settle;
        while (system.Cluster.CallsOf("fraud-detector", k => k == "app:deliver") < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        // A rebalance while deliveries may be in flight: the first detector may still be folding in
        // a batch that the second then reads again from the last committed offset.
        var (joined, _) = await system.AddDetectorAsync();
        await firstHalf;
        await PostAsync(sent.Skip(3000));

        await system.WaitForNoLagAsync("transactions", Settle);
        Assert.True(joined.CallsOf("app:deliver") > 0, "the joining detector took over no partition");
        Assert.Equal(6000, await system.LedgerCountAsync("j-"));
        Assert.Empty(system.Cluster.Broker.Read("transactions-deadletter"));
        await AssertEveryProfileHoldsAsync(system, "j", accounts: 300, transactionsEach: 20);
    }

    [Fact]
    public async Task A_sidecar_whose_app_token_differs_runs_without_subscriptions_and_the_detector_says_why()
    {
        await using var system = await DaprModeSystem.StartAsync();
        var (sidecar, detector) = await system.AddDetectorAsync(appTokenOfApp: "not-the-sidecars-token");

        Assert.Equal(HttpStatusCode.Unauthorized, sidecar.DiscoveryStatus);
        Assert.Equal(0, sidecar.CallsOf("app:deliver"));
        // Its /dapr/config and /dapr/subscribe, each refused once.
        Assert.Contains("fraud_app_token_rejections_total{route=\"discovery\"} 2\n", await MetricsAsync(detector), StringComparison.Ordinal);
        Assert.Contains("The Dapr sidecar's /dapr/subscribe was refused", detector.Output, StringComparison.Ordinal);
        Assert.Contains("dapr.io/app-token-secret", detector.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sidecar round trips per 1,000 transactions on a stream of many accounts in deliveries of a
    /// few hundred entries (the figure bench/RESULTS.md records): the stream is published first and
    /// consumed as a backlog, so every delivery is as large as the subscription allows (500), as
    /// under load, and the count does not depend on how fast this machine publishes.
    /// </summary>
    [Fact]
    public async Task Sidecar_round_trips_per_thousand_transactions_are_counted()
    {
        await using var system = await DaprModeSystem.StartAsync(consuming: false);
        const int Count = 3000;
        var sent = Batch("r", accounts: 3000, count: Count);
        var before = Snapshot(system);
        foreach (var chunk in sent.Chunk(500))
        {
            using var ingest = await system.Api.Http.PostAsync("/transactions", Transactions.Json(chunk));
            Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        }

        await system.Detectors[0].Sidecar.AttachAsync(TimeSpan.FromSeconds(60));
        await system.WaitForNoLagAsync("transactions", Settle);
        var after = Snapshot(system);
        var delta = after.ToDictionary(c => c.Key, c => c.Value - before.GetValueOrDefault(c.Key));
        long Per1000(string app, Func<string, bool> kind) =>
            delta.Where(d => d.Key.AppId == app && kind(d.Key.Kind)).Sum(d => d.Value) * 1000 / Count;

        // Start-up discovery (app:config, app:subscribe) and health probes are not per transaction.
        var detectorToSidecar = Per1000("fraud-detector", k => !k.StartsWith("app:", StringComparison.Ordinal) && k != "healthz");
        var sidecarToDetector = Per1000("fraud-detector", k => k.StartsWith("app:", StringComparison.Ordinal) && k is not "app:config" and not "app:subscribe");
        var apiToSidecar = Per1000("fraud-api", k => !k.StartsWith("app:", StringComparison.Ordinal) && k != "healthz");
        output.WriteLine($"per 1,000 transactions: fraud-detector -> sidecar {detectorToSidecar}, sidecar -> fraud-detector {sidecarToDetector}, fraud-api -> sidecar {apiToSidecar}");
        foreach (var (key, value) in delta.Where(d => d.Value > 0).OrderBy(d => d.Key.AppId).ThenBy(d => d.Key.Kind))
        {
            output.WriteLine($"  {key.AppId} {key.Kind}: {value}");
        }

        // One publish per transaction (a key per entry rules out bulk publish). The detector reads its
        // accounts once and writes them once per delivery (no anomalies in this stream), and is
        // called once per delivery: the issue's floor is 20 round trips per 1,000 transactions.
        Assert.Equal(1000, apiToSidecar);
        Assert.InRange(detectorToSidecar, 1, 20);
        Assert.InRange(sidecarToDetector, 1, 20);
        Assert.Equal(Count, await system.LedgerCountAsync("r-"));
    }

    /// <summary>Every account's stored profile (the profile store's key layout) counts each of its transactions once.</summary>
    private static async Task AssertEveryProfileHoldsAsync(DaprModeSystem system, string prefix, int accounts, int transactionsEach)
    {
        var redis = system.Cluster.RedisConnection.GetDatabase();
        for (var account = 0; account < accounts; account++)
        {
            var stored = (string?)await redis.HashGetAsync($"fraud-detector||{prefix}-acct-{account}", "data");
            Assert.True(stored is not null, $"no stored profile for {prefix}-acct-{account}");
            using var document = JsonDocument.Parse(stored);
            var profile = Fraud.Core.Features.AccountProfileSerializer.Deserialize(document.RootElement.GetProperty("profile").GetBytesFromBase64());
            Assert.Equal(transactionsEach, profile.TransactionCount);
        }
    }

    private static Dictionary<(string AppId, string Kind), long> Snapshot(DaprModeSystem system) =>
        system.Cluster.Calls.ToDictionary(c => c.Key, c => c.Value);

    private static List<string> Batch(string prefix, int accounts, int count) =>
        Enumerable.Range(0, count)
            .Select(i => Transactions.One($"{prefix}-{i}", $"{prefix}-acct-{i % accounts}", Start.AddMinutes(i), 20 + i % 50))
            .ToList();

    private static string AccountOf(byte[] cloudEvent)
    {
        using var document = JsonDocument.Parse(cloudEvent);
        return document.RootElement.GetProperty("data").GetProperty("accountId").GetString()!;
    }

    private static string IdOf(byte[] cloudEvent)
    {
        using var document = JsonDocument.Parse(cloudEvent);
        return document.RootElement.GetProperty("data").GetProperty("transactionId").GetString()!;
    }

    private static async Task<string> MetricsAsync(ServiceProcess process) => await process.Http.GetStringAsync("/metrics");

    private static long Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, $@"^{name} ([0-9.e+]+)$", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static long Counter(string metrics, string name, string outcome)
    {
        var match = Regex.Match(metrics, $@"^{name}\{{[^}}]*outcome=""{outcome}""[^}}]*\}} ([0-9.e+]+)$", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
