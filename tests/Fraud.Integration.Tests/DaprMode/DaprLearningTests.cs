using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fraud.TestSupport;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// Detector replicas without a model file learn from the same reviews: each alert's features go
/// through the ledger, so the verdict on an alert one replica raised reaches the other's training
/// rows too, and a replica started later begins with all of them.
/// </summary>
public sealed partial class DaprLearningTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_detector_replica_learns_the_verdicts_on_every_replicas_alerts_and_a_new_replica_starts_with_them()
    {
        await using var system = await DaprModeSystem.StartAsync(detectors: 2);

        // Card-testing bursts on twelve accounts, so that both replicas' partitions raise alerts.
        var transactions = new List<string>();
        for (var a = 0; a < 12; a++)
        {
            var account = $"learn-{a}";
            transactions.AddRange(Enumerable.Range(0, 21).Select(d => Transactions.One($"{account}-h{d}", account, Start.AddDays(d), 40 + d % 5)));
            transactions.AddRange(Enumerable.Range(0, 12).Select(i => Transactions.One($"{account}-b{i}", account, Start.AddDays(21).AddMinutes(i * 2.5), 1.00m, "merch-tester")));
        }

        using (var ingest = await system.Api.Http.PostAsync("/transactions", Transactions.Json(transactions)))
        {
            Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        }

        await system.WaitForNoLagAsync("transactions", Settle);
        using var page = JsonDocument.Parse(await system.Api.Http.GetStringAsync("/anomalies?limit=500"));
        var alerts = page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("transactionId").GetString()!).ToList();
        Assert.True(alerts.Count >= 12, $"{alerts.Count} alerts");
        // Each replica keeps its alerts' features in the ledger at its next label sync (every second here).
        await Poll.UntilAsync(async () => await system.KeptAlertFeaturesAsync() == alerts.Count, "every alert's features kept in the ledger", Settle);

        // An analyst confirms the bursts and dismisses anything else.
        var frauds = 0;
        foreach (var id in alerts)
        {
            using var one = await system.Api.Http.GetAsync($"/anomalies/{id}");
            var fraud = id.Contains("-b", StringComparison.Ordinal);
            frauds += fraud ? 1 : 0;
            using var review = new HttpRequestMessage(HttpMethod.Patch, $"/anomalies/{id}")
            {
                Content = new StringContent($$"""{"status":"{{(fraud ? "confirmed_fraud" : "false_positive")}}"}""", Encoding.UTF8, "application/json"),
            };
            review.Headers.IfMatch.Add(one.Headers.ETag!);
            using var reviewed = await system.Api.Http.SendAsync(review);
            Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        }

        // Both replicas hold every verdict as a training row, not only those on their own alerts.
        foreach (var (_, detector) in system.Detectors)
        {
            await Poll.UntilAsync(
                async () => ReviewedAlerts(await detector.Http.GetStringAsync("/metrics"), "fraud") == frauds,
                $"{frauds} reviewed frauds on the detector at port {detector.Port}",
                Settle);
            Assert.Equal(alerts.Count - frauds, ReviewedAlerts(await detector.Http.GetStringAsync("/metrics"), "legitimate"));
        }

        // A replica started now begins with them.
        var (_, third) = await system.AddDetectorAsync();
        await Poll.UntilAsync(async () => ReviewedAlerts(await third.Http.GetStringAsync("/metrics"), "fraud") == frauds, "the new replica to restore the reviews", Settle);
    }

    private static long ReviewedAlerts(string metrics, string verdict)
    {
        var match = ReviewedAlertsLine().Matches(metrics).FirstOrDefault(m => m.Groups["verdict"].Value == verdict);
        return match is null ? 0 : (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
    }


    [GeneratedRegex(@"^fraud_model_reviewed_alerts\{verdict=""(?<verdict>[a-z]+)""\} (?<value>[0-9.e+]+)$", RegexOptions.Multiline)]
    private static partial Regex ReviewedAlertsLine();
}
