using System.Net;
using Fraud.Api.Cases;
using Fraud.Api.Tests.Infrastructure;
using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Api.Tests;

/// <summary>
/// Deadlines: set by the case's highest severity, brought forward (never back) by a more severe
/// alert, and a case still open at its deadline is escalated once, by the system, in its history.
/// </summary>
public sealed class CaseDeadlineTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CaseOptions Options = new();

    [Fact]
    public void A_more_severe_alert_brings_the_deadline_forward_and_a_less_severe_one_never_moves_it_back()
    {
        var opened = CaseRules.Open("acct", 1, [Alert("a", Severity.Medium, 0.6)], Options, Now).Case;
        Assert.Equal(Now.AddHours(24), opened.DueAt);

        var critical = CaseRules.File(opened, [Alert("b", Severity.Critical, 0.97)], Options, Now.AddHours(2)).Case;
        Assert.Equal((Severity.Critical, Now.AddHours(3), 0.97, 2), (critical.Severity, critical.DueAt, critical.MaxScore, critical.Alerts));

        var low = CaseRules.File(critical, [Alert("c", Severity.Low, 0.3)], Options, Now.AddHours(2.5)).Case;
        Assert.Equal((Severity.Critical, Now.AddHours(3), 3), (low.Severity, low.DueAt, low.Alerts));

        // A critical alert late in a long medium case: its own hour from now, not earlier than now.
        var late = CaseRules.File(opened, [Alert("d", Severity.High, 0.8)], Options, Now.AddHours(23)).Case;
        Assert.Equal(Now.AddHours(24), late.DueAt);
    }

    [Fact]
    public void Only_an_open_unescalated_case_past_its_deadline_is_escalated()
    {
        var open = CaseRules.Open("acct", 1, [Alert("a", Severity.High, 0.8)], Options, Now).Case;
        Assert.Null(CaseRules.Escalate(open, Now.AddHours(4).AddTicks(-1)));

        var escalation = CaseRules.Escalate(open, Now.AddHours(4))!;
        Assert.Equal(Now.AddHours(4), escalation.Case.EscalatedAt);
        Assert.Equal((CaseEventKind.Escalated, "system", "high"), (escalation.Events.Single().Kind, escalation.Events.Single().By, escalation.Events.Single().Value));
        Assert.Null(CaseRules.Escalate(escalation.Case, Now.AddHours(5)));

        var closed = CaseRules.Close(open, AnomalyStatus.Dismissed, "alice", null, Now.AddHours(1)).Case;
        Assert.Null(CaseRules.Escalate(closed, Now.AddHours(5)));
        Assert.Throws<ArgumentException>(() => CaseRules.Close(open, AnomalyStatus.Open, "alice", null, Now));
    }

    [Fact]
    public async Task A_case_still_open_at_its_deadline_is_escalated_once_by_the_embedded_scan()
    {
        await using var host = await ApiHost.StartAsync(
            "Fraud:Cases:IntakeInterval=00:00:00.100",
            "Fraud:Cases:CriticalDeadline=00:00:01",
            "Fraud:Cases:HighDeadline=00:00:01",
            "Fraud:Cases:MediumDeadline=00:00:01",
            "Fraud:Cases:LowDeadline=00:00:01",
            "Fraud:Cases:DeadlineScanInterval=00:00:00.200");
        using (var post = await host.Http.PostAsync("transactions", Tx.Json(Tx.CardTesting("dl", "acct-dl", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, post);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        System.Text.Json.Nodes.JsonNode detail;
        while (true)
        {
            using var response = await host.Http.GetAsync("cases/acct-dl~1");
            if (response.StatusCode == HttpStatusCode.OK && (detail = (await HttpAssert.StatusAsync(HttpStatusCode.OK, response))!)["case"]!["escalatedAt"] is not null)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the case was not escalated 20 s after its 1 s deadline");
            await Task.Delay(100);
        }

        var c = detail["case"]!;
        Assert.True(DateTimeOffset.Parse(c.Str("escalatedAt"), System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(c.Str("dueAt"), System.Globalization.CultureInfo.InvariantCulture));
        await Task.Delay(600); // three more scans
        var history = (await host.Http.OkJsonAsync("cases/acct-dl~1"))["history"]!.AsArray().Select(e => e!).Where(e => e.Str("kind") == "escalated").ToList();
        Assert.Equal(("system", "high"), (history.Single().Str("by"), history.Single().Str("value")));
        Assert.Contains("acct-dl~1", (await host.Http.OkJsonAsync("cases?status=open")).Items().Select(i => i.Str("caseId")));
    }

    private static UncasedAlert Alert(string id, Severity severity, double score) => new(id, "acct", Now.AddMinutes(-5), score, severity);
}
