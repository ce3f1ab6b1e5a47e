using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.TestSupport;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// Another team's services in TypeScript (examples/, the official @dapr/dapr SDK and ajv) joined to
/// the Dapr-mode system: a producer through Dapr and over REST with an API key, and an alert
/// consumer that validates every event against schemas/ and drops repeats.
/// </summary>
public sealed class PolyglotExamplesTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_typescript_producer_and_consumer_work_with_the_services_through_dapr()
    {
        await NodeExamples.BuildOnceAsync();
        await using var system = await DaprModeSystem.StartAsync(apiKeys: true);
        using var files = TempDirectory.Create("fraud-polyglot");

        // The consumer: its own app id, sidecar and consumer group.
        var consumerPort = LoopbackPort.Free();
        var consumerSidecar = await system.Cluster.AddSidecarAsync("alerts-consumer", consumerPort, daprApiToken: "consumer-token", consumerGroup: "alerts-consumer");
        var events = files.Combine("events.jsonl");
        var consumerOutput = new List<string>();
        using var consumer = NodeExamples.Start("consumer", ["--out", events], new Dictionary<string, string>(consumerSidecar.AppEnvironment)
        {
            ["APP_PORT"] = consumerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, consumerOutput);
        try
        {
            await consumerSidecar.AttachAsync(TimeSpan.FromSeconds(60));

            // Through Dapr: a card-testing burst and quiet accounts; over REST with the producer's key: more quiet ones.
            var dapr = Enumerable.Range(0, 21).Select(d => Transactions.One($"ts-h-{d}", "ts-victim", Start.AddDays(d), 40 + d % 5))
                .Concat(Enumerable.Range(0, 12).Select(i => Transactions.One($"ts-b-{i}", "ts-victim", Start.AddDays(21).AddMinutes(i * 2.5), 1.00m, "merch-tester")))
                .Concat(Enumerable.Range(0, 20).Select(i => Transactions.One($"ts-q-{i}", $"ts-acct-{i}", Start.AddDays(21).AddMinutes(i), 25m)));
            var rest = Enumerable.Range(0, 20).Select(i => Transactions.One($"ts-r-{i}", $"ts-rest-{i}", Start.AddDays(21).AddMinutes(i), 30m));
            await File.WriteAllTextAsync(files.Combine("dapr.json"), "[" + string.Join(',', dapr) + "]");
            await File.WriteAllTextAsync(files.Combine("rest.json"), "[" + string.Join(',', rest) + "]");

            var producerSidecar = await system.Cluster.AddSidecarAsync("gateway-producer", LoopbackPort.Free(), daprApiToken: "producer-token");
            Assert.Equal(0, await RunAsync("producer", ["--file", files.Combine("dapr.json")], producerSidecar.AppEnvironment));
            Assert.Equal(0, await RunAsync("producer", ["--file", files.Combine("rest.json"), "--rest", system.Api.Http.BaseAddress!.ToString(), "--api-key", DaprModeSystem.ProducerKey], new Dictionary<string, string>()));
            // A transaction the schema refuses is not sent at all.
            await File.WriteAllTextAsync(files.Combine("bad.json"), """[{"transactionId":"ts-bad","accountId":"a/1","timestamp":"2026-03-02T09:00:00Z","amount":-1}]""");
            Assert.Equal(1, await RunAsync("producer", ["--file", files.Combine("bad.json")], producerSidecar.AppEnvironment));

            // Keyed by account, scored and readable through fraud-api.
            Assert.All(system.Cluster.Broker.Read("transactions").Where(m => m.Key!.StartsWith("ts-", StringComparison.Ordinal)),
                m => Assert.Equal(m.Key, JsonNode.Parse(m.Value)!["data"]!["accountId"]!.GetValue<string>()));
            await system.WaitForNoLagAsync("transactions", TimeSpan.FromSeconds(90));
            Assert.Equal(73, await system.LedgerCountAsync("ts-"));
            using (var read = await system.Api.Http.GetAsync("/transactions/ts-r-3"))
            {
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }

            // Every anomaly reaches the consumer once, valid against the schema, even when delivered twice.
            using var list = JsonDocument.Parse(await system.Api.Http.GetStringAsync("/anomalies?accountId=ts-victim&limit=100"));
            var anomalies = list.RootElement.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("transactionId").GetString()!).ToHashSet();
            Assert.NotEmpty(anomalies);
            var again = system.Cluster.Broker.Read("anomalies").First();
            system.Cluster.Broker.Publish("anomalies", again.Key, again.Value, again.ContentType); // a redelivery
            var lines = await EventuallyAsync(events, l => l.Count(e => e["kind"]!.GetValue<string>() == "duplicate") == 1
                && l.Where(e => e["kind"]!.GetValue<string>() == "anomaly").Select(e => e["event"]!["transactionId"]!.GetValue<string>()).ToHashSet().SetEquals(anomalies));
            var received = lines.Where(e => e["kind"]!.GetValue<string>() == "anomaly").Select(e => e["event"]!["transactionId"]!.GetValue<string>()).ToList();
            Assert.Equal(received.Count, received.Distinct().Count());

            // A review's verdict reaches it on feedback.
            var reviewed = anomalies.Order(StringComparer.Ordinal).First();
            using (var one = await system.Api.Http.GetAsync($"/anomalies/{reviewed}"))
            using (var review = new HttpRequestMessage(HttpMethod.Patch, $"/anomalies/{reviewed}") { Content = new StringContent("""{"status":"confirmed_fraud"}""", System.Text.Encoding.UTF8, "application/json") })
            {
                review.Headers.IfMatch.Add(one.Headers.ETag!);
                using var answer = await system.Api.Http.SendAsync(review);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            lines = await EventuallyAsync(events, l => l.Any(e => e["kind"]!.GetValue<string>() == "verdict"));
            var verdict = lines.Single(e => e["kind"]!.GetValue<string>() == "verdict")["event"]!;
            Assert.Equal((reviewed, "confirmed_fraud"), (verdict["transactionId"]!.GetValue<string>(), verdict["status"]!.GetValue<string>()));
            Assert.DoesNotContain(lines, e => e["kind"]!.GetValue<string>() == "invalid");
        }
        finally
        {
            consumer.Kill(entireProcessTree: true);
            await consumer.WaitForExitAsync();
        }

        async Task<int> RunAsync(string script, string[] arguments, IReadOnlyDictionary<string, string> environment)
        {
            var output = new List<string>();
            using var process = NodeExamples.Start(script, arguments, environment, output);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            await Task.Delay(50); // the last output lines
            lock (output)
            {
                Assert.True(process.ExitCode is 0 or 1, $"{script} exited with {process.ExitCode}:\n{string.Join('\n', output)}");
            }

            return process.ExitCode;
        }

        async Task<List<JsonNode>> EventuallyAsync(string path, Func<List<JsonNode>, bool> done)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var lines = File.Exists(path) ? (await File.ReadAllLinesAsync(path)).Select(l => JsonNode.Parse(l)!).ToList() : [];
                if (done(lines))
                {
                    return lines;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the consumer did not receive what was expected. Its events:\n{string.Join('\n', lines)}\nIts output:\n{string.Join('\n', consumerOutput)}");
                }

                await Task.Delay(200);
            }
        }
    }
}
