using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// Cases on the cluster path: the detector commits the alerts, fraud-api's case intake files them
/// through the account's <c>CaseActor</c> (hosted by fraud-api, called through its sidecar), which
/// sets a one-shot reminder at the case's deadline; the reminder, fired by the test sidecar as
/// daprd's scheduler would, escalates a case left open, and a verdict removes it. The deadline scan
/// is set to an hour, so only reminders can escalate here.
/// </summary>
public sealed class DaprCaseTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Alerts_become_a_case_actor_whose_reminder_escalates_it_at_the_deadline_and_a_verdict_removes_the_reminder()
    {
        await using var system = await DaprModeSystem.StartAsync(apiSettings: new Dictionary<string, string>
        {
            ["Fraud__Cases__CriticalDeadline"] = "00:00:08",
            ["Fraud__Cases__HighDeadline"] = "00:00:08",
            ["Fraud__Cases__IntakeInterval"] = "00:00:00.200",
            ["Fraud__Cases__DeadlineScanInterval"] = "01:00:00",
        });
        using (var ingest = await system.Api.Http.PostAsync("/transactions", Transactions.Json([.. Burst("closed", "acct-closed"), .. Burst("late", "acct-late")])))
        {
            Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        }

        var closing = await WaitForAsync(system, "acct-closed~1", c => c is not null, "the case of acct-closed was not filed");
        var late = await WaitForAsync(system, "acct-late~1", c => c is not null, "the case of acct-late was not filed");
        Assert.Equal("open", closing!["case"]!["status"]!.GetValue<string>());

        // Placement put each account's case actor on fraud-api, which set one reminder per open case, carrying the case id.
        Assert.Equal("fraud-api", system.Cluster.FindActorHost("CaseActor", "acct-closed")!.AppId);
        Assert.True(system.Cluster.CallsOf("fraud-api", k => k == "actor-invoke") > 0);
        var reminder = system.Cluster.Reminders.Single(r => r.ActorId == "acct-closed");
        Assert.Equal(("CaseActor", "deadline", ""), (reminder.ActorType, reminder.Name, reminder.Period));
        Assert.Equal("acct-closed~1", Encoding.UTF8.GetString(reminder.DataFromBase64()!));
        var due = DateTimeOffset.Parse(closing["case"]!["dueAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(reminder.NextFireAt, due.AddSeconds(-2), due.AddSeconds(2));

        // A verdict before the deadline closes the case, reviews its alerts and removes its reminder.
        using (var verdict = await system.Api.Http.PostAsync("/cases/acct-closed~1/verdict",
            new StringContent("""{"status":"confirmed_fraud","note":"card holder confirmed"}""", Encoding.UTF8, "application/json")))
        {
            var body = JsonNode.Parse(await verdict.Content.ReadAsStringAsync())!;
            Assert.True(verdict.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.Equal("closed", body["case"]!["status"]!.GetValue<string>());
            Assert.Equal(closing["alerts"]!.AsArray().Count, body["alertsReviewed"]!.GetValue<int>());
        }

        Assert.DoesNotContain(system.Cluster.Reminders, r => r.ActorId == "acct-closed");

        // The case left open is escalated when its reminder fires, by the system, once.
        var escalated = await WaitForAsync(system, "acct-late~1", c => c?["case"]?["escalatedAt"] is not null, "the reminder did not escalate acct-late's case", TimeSpan.FromSeconds(40));
        Assert.True(system.Cluster.CallsOf("fraud-api", k => k == "app:actor-reminder-fire") >= 1);
        var events = escalated!["history"]!.AsArray().Select(e => e!).Where(e => e["kind"]!.GetValue<string>() == "escalated").ToList();
        Assert.Equal("system", events.Single()["by"]!.GetValue<string>());
        Assert.DoesNotContain(system.Cluster.Reminders, r => r.ActorId == "acct-late");
        var closedNow = await WaitForAsync(system, "acct-closed~1", c => c is not null, "the closed case disappeared");
        Assert.Null(closedNow!["case"]!["escalatedAt"]);
        Assert.NotNull(late);
    }

    /// <summary>Three weeks of ordinary purchases, then twelve 1.00 charges 2.5 minutes apart at a new merchant.</summary>
    private static IEnumerable<string> Burst(string prefix, string account) =>
    [
        .. Enumerable.Range(0, 21).Select(d => Transactions.One($"{prefix}-h{d}", account, Start.AddDays(d), 40 + d % 5)),
        .. Enumerable.Range(0, 12).Select(i => Transactions.One($"{prefix}-b{i}", account, Start.AddDays(21).AddMinutes(i * 2.5), 1.00m, "merch-tester")),
    ];

    private static async Task<JsonNode?> WaitForAsync(DaprModeSystem system, string caseId, Func<JsonNode?, bool> done, string failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await system.Api.Http.GetAsync($"/cases/{caseId}");
            var body = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
            if (done(body))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{failure} (last answer {(int)response.StatusCode}). fraud-api output:\n{system.Api.Output[^Math.Min(4000, system.Api.Output.Length)..]}");
            await Task.Delay(200);
        }
    }
}
