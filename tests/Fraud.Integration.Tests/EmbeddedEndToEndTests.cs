using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Fraud.TestSupport;

namespace Fraud.Integration.Tests;

/// <summary>The whole system as a newcomer runs it: <c>fraud run</c> in its own process, over HTTP.</summary>
public sealed class EmbeddedEndToEndTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // One client on loopback sends far more than the default 100 requests/s per address.

    [Fact]
    public async Task A_card_testing_burst_is_raised_as_an_anomaly_with_its_reasons()
    {
        using var directory = TempDirectory.Create("fraud-e2e");
        await using var fraud = await FraudProcess.StartAsync("--ledger", directory.Combine("fraud.db"));

        // Three weeks of ordinary spending, then a dozen one-euro charges in half an hour.
        var history = Enumerable.Range(0, 21).Select(d => Transactions.One($"h-{d}", "acct-victim", Start.AddDays(d), 40 + d % 5));
        var burst = Enumerable.Range(0, 12).Select(i => Transactions.One($"b-{i}", "acct-victim", Start.AddDays(21).AddMinutes(i * 2.5), 1.00m, "merch-tester"));
        var quiet = Enumerable.Range(0, 30).Select(i => Transactions.One($"q-{i}", $"acct-{i}", Start.AddDays(21).AddMinutes(i), 25m));
        using (var ingest = await fraud.Http.PostAsync("/transactions", Transactions.Json([.. history, .. burst, .. quiet])))
        {
            Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
            Assert.Equal(63, JsonDocument.Parse(await ingest.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt32());
        }

        // Acknowledged means committed: the anomalies are readable at once, no polling.
        using var list = JsonDocument.Parse(await fraud.Http.GetStringAsync("/anomalies?accountId=acct-victim&limit=50"));
        var items = list.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, a => Assert.StartsWith("b-", a.GetProperty("transactionId").GetString()));
        var last = items.First();
        Assert.Equal("b-11", last.GetProperty("transactionId").GetString());
        Assert.Contains(last.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "CARD_TESTING");
        Assert.Equal("open", last.GetProperty("status").GetString());

        using var one = await fraud.Http.GetAsync("/anomalies/b-11");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.NotNull(one.Headers.ETag);

        using var others = JsonDocument.Parse(await fraud.Http.GetStringAsync("/anomalies?limit=500"));
        Assert.DoesNotContain(others.RootElement.GetProperty("items").EnumerateArray(),
            a => a.GetProperty("accountId").GetString()!.StartsWith("acct-", StringComparison.Ordinal) && a.GetProperty("accountId").GetString() != "acct-victim");
        Assert.Contains("Fraud.Dapr is running on the embedded runtime", fraud.Output);

        // 31 accounts (the victim and 30 quiet ones) and two merchants are held in memory.
        var metrics = await MetricsAsync(fraud);
        Assert.Contains("\nfraud_account_profiles 31\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nfraud_merchant_profiles 2\n", metrics, StringComparison.Ordinal);

        // Request durations are told apart below a millisecond; the runtime's meter is exported, the
        // per-request meters of hosting, auth and rate limiting and the event counters are not.
        Assert.Contains("""endpoint="/anomalies/{id}",le="0.000125"}""", metrics, StringComparison.Ordinal);
        Assert.Contains("\nsystem_runtime_dotnet_gc_collections{", metrics, StringComparison.Ordinal);
        foreach (var absent in new[] { "microsoft_aspnetcore_hosting", "microsoft_aspnetcore_authorization", "microsoft_aspnetcore_ratelimiting", "private_internaldiagnostics" })
        {
            Assert.DoesNotContain(absent, metrics, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task After_a_hard_kill_every_acknowledged_transaction_is_in_the_ledger(string kind)
    {
        using var directory = TempDirectory.Create("fraud-kill");
        var ledger = kind == "sqlite"
            ? directory.Combine("fraud.db")
            : await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync("kill");
        var acknowledged = new ConcurrentBag<string>();
        await using (var fraud = await FraudProcess.StartAsync("--ledger", ledger))
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var batch = 0; !stop.IsCancellationRequested; batch++)
                {
                    var ids = Enumerable.Range(0, 250).Select(i => $"w{w}-{batch}-{i}").ToArray();
                    var body = Transactions.Json(ids.Select((id, i) => Transactions.One(id, $"acct-{w}-{i % 50}", Start.AddSeconds(batch * 250 + i), 10m + i % 90)));
                    try
                    {
                        using var response = await fraud.Http.PostAsync("/transactions", body, stop.Token);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            foreach (var id in ids)
                            {
                                acknowledged.Add(id);
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();

            // Kill in the middle of the stream, with batches in flight.
            while (acknowledged.Count < 20_000)
            {
                await Task.Delay(50);
            }

            await fraud.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        await using var restarted = await FraudProcess.StartAsync("--ledger", ledger);
        var missing = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, token) =>
        {
            using var response = await restarted.Http.GetAsync($"/transactions/{id}", token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                missing.Add($"{id} ({(int)response.StatusCode})");
            }
        });
        Assert.Contains($"ledger            {kind}", restarted.Output);
        // Every acknowledged id was read back above, eight at a time, and none of it was limited.
        Assert.Contains("rate limits       none (open on loopback, no API keys)", restarted.Output);
        if (kind == "postgresql")
        {
            // What the pool panel of the dashboard and the FraudLedgerPoolExhausted alert read.
            var metrics = await MetricsAsync(restarted);
            Assert.Contains("""npgsql_db_client_connection_count{db_client_connection_pool_name="fraud-ledger",db_client_connection_state="used"}""", metrics, StringComparison.Ordinal);
            Assert.Contains("""npgsql_db_client_connection_max{db_client_connection_pool_name="fraud-ledger"} 20""", metrics, StringComparison.Ordinal);
        }

        Assert.True(missing.IsEmpty, $"{missing.Count} of {acknowledged.Count} acknowledged transactions are not in the ledger after the kill, e.g. {string.Join(", ", missing.Take(5))}");
    }

    [Fact]
    public async Task Ctrl_c_stops_gracefully_and_a_bad_request_is_refused_with_the_field_named()
    {
        using var directory = TempDirectory.Create("fraud-stop");
        await using var fraud = await FraudProcess.StartAsync("--ledger", directory.Combine("fraud.db"));
        using var bad = await fraud.Http.PostAsync("/transactions", Transactions.Json(
        [
            Transactions.One("ok-1", "a", Start, 10m),
            """{"transactionId":"bad-1","accountId":"a","timestamp":"yesterday","amount":-5}""",
        ]));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["[1].amount", "[1].timestamp"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        using (var notAccepted = await fraud.Http.GetAsync("/transactions/ok-1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notAccepted.StatusCode);
        }

        using (var accepted = await fraud.Http.PostAsync("/transactions", Transactions.Json(
            [Transactions.One("ok-2", "a", Start, 10m), Transactions.One("ok-3", "a", Start.AddMinutes(1), 12m)])))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Equal(0, await fraud.InterruptAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Stopped. Committed 2 scored transactions to the ledger since start; every transaction answered 202 is in it.", fraud.Output);
    }

    /// <summary>/metrics as Prometheus sees it from its second scrape on (the first starts the meter listener).</summary>
    private static async Task<string> MetricsAsync(FraudProcess fraud)
    {
        await fraud.Http.GetStringAsync("/metrics");
        return await fraud.Http.GetStringAsync("/metrics");
    }
}
