using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Runtime.Tests.Ledger;

/// <summary>The case record (<see cref="ICaseLedger"/>), on each ledger: each test on a database of its own, as intake reads every anomaly.</summary>
public abstract partial class LedgerContractTests
{
    [Fact]
    public async Task A_case_files_each_alert_once_and_refuses_stale_versions_and_a_second_open_case()
    {
        var (ledger, cases) = await FreshAsync();
        var t = At(2041);
        var alerts = Enumerable.Range(0, 3).Select(i => OpenAnomaly(Id($"ca{i}"), "acct-c", t.AddMinutes(i)) with { ScoredAt = t.AddMinutes(i).AddSeconds(1) }).ToList();
        await ledger.WriteAsync([.. alerts, Plain(Id("cp"), "acct-c", t)], CancellationToken.None);

        var uncased = await cases.UncasedAlertsAsync(10, CancellationToken.None);
        Assert.Equal(alerts.Select(a => a.TransactionId), uncased.Select(u => u.TransactionId));
        Assert.Equal(3, await cases.CountUncasedAlertsAsync(CancellationToken.None));
        Assert.Equal(0, await cases.LastCaseNumberAsync("acct-c", CancellationToken.None));

        var opened = NewCase("acct-c", 1, t);
        Assert.True(await cases.SaveCaseAsync(new CaseChange(opened, 0, [Event(opened, CaseEventKind.Opened)], [alerts[0].TransactionId, alerts[1].TransactionId]), CancellationToken.None));
        Assert.Equal([alerts[2].TransactionId], (await cases.UncasedAlertsAsync(10, CancellationToken.None)).Select(u => u.TransactionId));
        Assert.Equal(opened, await cases.GetCaseAsync(opened.CaseId, CancellationToken.None));
        Assert.Equal(opened, await cases.OpenCaseOfAsync("acct-c", CancellationToken.None));
        Assert.Equal(1, await cases.LastCaseNumberAsync("acct-c", CancellationToken.None));

        // A second open case for the account, a stale version, an alert filed already: each refused, nothing changed.
        var second = NewCase("acct-c", 2, t);
        Assert.False(await cases.SaveCaseAsync(new CaseChange(second, 0, [Event(second, CaseEventKind.Opened)], [alerts[2].TransactionId]), CancellationToken.None));
        var bumped = opened with { Alerts = 3, Version = 2 };
        Assert.False(await cases.SaveCaseAsync(new CaseChange(bumped with { Version = 3 }, 2, [], [alerts[2].TransactionId]), CancellationToken.None));
        Assert.False(await cases.SaveCaseAsync(new CaseChange(bumped, 1, [Event(bumped, CaseEventKind.AlertAdded)], [alerts[0].TransactionId, alerts[2].TransactionId]), CancellationToken.None));
        Assert.Equal(opened, await cases.GetCaseAsync(opened.CaseId, CancellationToken.None));
        Assert.Null(await cases.GetCaseAsync(second.CaseId, CancellationToken.None));
        Assert.Single(await cases.UncasedAlertsAsync(10, CancellationToken.None));
        Assert.Single(await cases.CaseHistoryAsync(opened.CaseId, CancellationToken.None));

        Assert.True(await cases.SaveCaseAsync(new CaseChange(bumped, 1, [Event(bumped, CaseEventKind.AlertAdded, alerts[2].TransactionId)], [alerts[2].TransactionId]), CancellationToken.None));
        Assert.Empty(await cases.UncasedAlertsAsync(10, CancellationToken.None));
        Assert.Equal(alerts.Select(a => a.TransactionId).Reverse(), (await cases.CaseAlertsAsync(opened.CaseId, 10, CancellationToken.None)).Select(a => a.TransactionId));
    }

    [Fact]
    public async Task Concurrent_saves_each_get_their_own_outcome_a_refused_one_changing_nothing_of_the_others()
    {
        var (ledger, cases) = await FreshAsync();
        var t = At(2046);
        var alerts = Enumerable.Range(0, 12).Select(i => OpenAnomaly(Id($"cc{i}"), $"acct-cc{i}", t)).ToList();
        await ledger.WriteAsync(alerts, CancellationToken.None);
        var first = NewCase("acct-cc0", 1, t);
        Assert.True(await cases.SaveCaseAsync(new CaseChange(first, 0, [], [alerts[0].TransactionId]), CancellationToken.None));

        // Eleven new cases and one refused (a second open case of acct-cc0, filing an alert of another account's), all at once.
        var changes = Enumerable.Range(1, 11).Select(i => NewCase($"acct-cc{i}", 1, t)).Select((c, i) => new CaseChange(c, 0, [Event(c, CaseEventKind.Opened)], [alerts[i + 1].TransactionId]))
            .Append(new CaseChange(NewCase("acct-cc0", 2, t), 0, [Event(NewCase("acct-cc0", 2, t), CaseEventKind.Opened)], [alerts[5].TransactionId]))
            .ToList();
        var results = await Task.WhenAll(changes.Select(c => Task.Run(() => cases.SaveCaseAsync(c, CancellationToken.None))));

        Assert.Equal([.. Enumerable.Repeat(true, 11), false], results);
        for (var i = 1; i <= 11; i++)
        {
            Assert.Equal([alerts[i].TransactionId], (await cases.CaseAlertsAsync(CaseIds.Of($"acct-cc{i}", 1), 10, CancellationToken.None)).Select(a => a.TransactionId));
            Assert.Single(await cases.CaseHistoryAsync(CaseIds.Of($"acct-cc{i}", 1), CancellationToken.None));
        }

        Assert.Null(await cases.GetCaseAsync(CaseIds.Of("acct-cc0", 2), CancellationToken.None));
        Assert.Empty(await cases.CaseHistoryAsync(CaseIds.Of("acct-cc0", 2), CancellationToken.None));
    }

    [Fact]
    public async Task Every_review_of_an_alert_in_a_case_is_in_the_case_history_with_who_when_and_what()
    {
        var (ledger, cases) = await FreshAsync();
        var t = At(2042);
        var alert = OpenAnomaly(Id("cr"), "acct-r", t);
        var loose = OpenAnomaly(Id("cr-loose"), "acct-r2", t);
        await ledger.WriteAsync([alert, loose], CancellationToken.None);
        var opened = NewCase("acct-r", 1, t);
        await cases.SaveCaseAsync(new CaseChange(opened, 0, [Event(opened, CaseEventKind.Opened)], [alert.TransactionId]), CancellationToken.None);

        var reviewedAt = t.AddHours(1).AddTicks(7);
        await ledger.ReviewAsync(alert.TransactionId, new Review(AnomalyStatus.FalsePositive, "alice", reviewedAt, "known customer"), null, CancellationToken.None);
        await ledger.ReviewAsync(loose.TransactionId, new Review(AnomalyStatus.Dismissed, "bob", reviewedAt, null), null, CancellationToken.None);

        var history = await cases.CaseHistoryAsync(opened.CaseId, CancellationToken.None);
        Assert.Equal([CaseEventKind.Opened, CaseEventKind.AlertReviewed], history.Select(e => e.Kind));
        var review = history[1];
        Assert.Equal(("alice", alert.TransactionId, "false_positive", "known customer"), (review.By, review.TransactionId, review.Value, review.Note));
        Assert.Equal(new DateTimeOffset(reviewedAt.UtcTicks - reviewedAt.UtcTicks % 10, TimeSpan.Zero), review.At);
        Assert.True(history[0].Sequence < history[1].Sequence);
    }

    [Fact]
    public async Task The_case_queue_is_by_deadline_then_score_filtered_and_paged()
    {
        var (_, cases) = await FreshAsync();
        var t = At(2043);
        var specs = new (string Account, int Hours, double Score, Severity Severity, string? Assignee, CaseStatus Status)[]
        {
            ("q-a", 4, 0.80, Severity.High, null, CaseStatus.Open),
            ("q-b", 1, 0.95, Severity.Critical, "alice", CaseStatus.Open),
            ("q-c", 4, 0.90, Severity.High, "bob", CaseStatus.Open),
            ("q-d", 24, 0.60, Severity.Medium, null, CaseStatus.Open),
            ("q-e", 2, 0.99, Severity.Critical, null, CaseStatus.Closed),
        };
        foreach (var s in specs)
        {
            var c = NewCase(s.Account, 1, t) with { DueAt = t.AddHours(s.Hours), MaxScore = s.Score, Severity = s.Severity, AssignedTo = s.Assignee, Status = s.Status };
            Assert.True(await cases.SaveCaseAsync(new CaseChange(c, 0, [], []), CancellationToken.None));
        }

        async Task<List<string>> Accounts(CaseFilter filter)
        {
            var all = new List<string>();
            for (CasePage? page = null; page is null || page.NextCursor is not null;)
            {
                CaseCursor.TryDecode(page?.NextCursor, out var after);
                page = await cases.QueryCasesAsync(filter with { After = after }, CancellationToken.None);
                all.AddRange(page.Items.Select(c => c.AccountId));
            }

            return all;
        }

        Assert.Equal(["q-b", "q-c", "q-a", "q-d"], await Accounts(new CaseFilter(Status: CaseStatus.Open, Limit: 1)));
        Assert.Equal(["q-b", "q-e", "q-c", "q-a", "q-d"], await Accounts(new CaseFilter(Limit: 2)));
        Assert.Equal(["q-a", "q-d"], await Accounts(new CaseFilter(Status: CaseStatus.Open, Unassigned: true)));
        Assert.Equal(["q-c"], await Accounts(new CaseFilter(AssignedTo: "bob")));
        Assert.Equal(["q-b", "q-e", "q-d"], await Accounts(new CaseFilter(Severities: [Severity.Critical, Severity.Medium])));
        Assert.Equal(["q-d"], await Accounts(new CaseFilter(AccountId: "q-d")));
    }

    [Fact]
    public async Task Due_cases_are_the_open_unescalated_ones_past_their_deadline_and_a_lease_has_one_holder_until_it_expires()
    {
        var (_, cases) = await FreshAsync();
        var t = At(2044);
        var due = NewCase("d-due", 1, t) with { DueAt = t.AddHours(1) };
        var escalated = NewCase("d-esc", 1, t) with { DueAt = t.AddHours(1), EscalatedAt = t.AddHours(1) };
        var later = NewCase("d-later", 1, t) with { DueAt = t.AddHours(3) };
        var closed = NewCase("d-closed", 1, t) with { DueAt = t.AddHours(1), Status = CaseStatus.Closed, Verdict = AnomalyStatus.Dismissed, ClosedAt = t };
        foreach (var c in new[] { due, escalated, later, closed })
        {
            await cases.SaveCaseAsync(new CaseChange(c, 0, [], []), CancellationToken.None);
        }

        Assert.Equal(["d-due"], (await cases.DueCasesAsync(t.AddHours(2), 10, CancellationToken.None)).Select(c => c.AccountId));
        Assert.Empty(await cases.DueCasesAsync(t.AddMinutes(59), 10, CancellationToken.None));

        Assert.True(await cases.TryHoldLeaseAsync("intake", "r1", t, t.AddSeconds(10), CancellationToken.None));
        Assert.False(await cases.TryHoldLeaseAsync("intake", "r2", t.AddSeconds(5), t.AddSeconds(15), CancellationToken.None));
        Assert.True(await cases.TryHoldLeaseAsync("intake", "r1", t.AddSeconds(5), t.AddSeconds(15), CancellationToken.None));
        Assert.True(await cases.TryHoldLeaseAsync("other", "r2", t, t.AddSeconds(10), CancellationToken.None));
        Assert.True(await cases.TryHoldLeaseAsync("intake", "r2", t.AddSeconds(16), t.AddSeconds(26), CancellationToken.None));
        Assert.False(await cases.TryHoldLeaseAsync("intake", "r1", t.AddSeconds(17), t.AddSeconds(27), CancellationToken.None));
    }

    [Fact]
    public async Task An_accounts_transactions_are_read_in_a_window_newest_first_and_purge_takes_closed_cases_past_retention()
    {
        var (ledger, cases) = await FreshAsync();
        var t = At(2045);
        var rows = Enumerable.Range(0, 6).Select(i => Plain(Id($"w{i}"), "acct-w", t.AddHours(i)) with { ScoredAt = At(2003).AddHours(i) }).ToList();
        await ledger.WriteAsync([.. rows, Plain(Id("w-other"), "acct-other", t.AddHours(2))], CancellationToken.None);
        Assert.Equal([rows[4].TransactionId, rows[3].TransactionId, rows[2].TransactionId],
            (await cases.AccountTransactionsAsync("acct-w", t.AddHours(1).AddTicks(1), t.AddHours(5), 10, CancellationToken.None)).Select(r => r.TransactionId));
        Assert.Equal(2, (await cases.AccountTransactionsAsync("acct-w", t, t.AddDays(1), 2, CancellationToken.None)).Count);

        var old = NewCase("p-old", 1, t) with { Status = CaseStatus.Closed, Verdict = AnomalyStatus.ConfirmedFraud, ClosedAt = At(2002) };
        var open = NewCase("p-open", 1, t) with { OpenedAt = At(2001) };
        var recent = NewCase("p-recent", 1, t) with { Status = CaseStatus.Closed, Verdict = AnomalyStatus.Dismissed, ClosedAt = At(2004) };
        foreach (var c in new[] { old, open, recent })
        {
            await cases.SaveCaseAsync(new CaseChange(c, 0, [Event(c, CaseEventKind.Opened)], []), CancellationToken.None);
        }

        await ledger.PurgeAsync(At(2003), CancellationToken.None);

        Assert.Null(await cases.GetCaseAsync(old.CaseId, CancellationToken.None));
        Assert.Empty(await cases.CaseHistoryAsync(old.CaseId, CancellationToken.None));
        Assert.NotNull(await cases.GetCaseAsync(open.CaseId, CancellationToken.None));
        Assert.NotNull(await cases.GetCaseAsync(recent.CaseId, CancellationToken.None));
        Assert.Single(await cases.CaseHistoryAsync(recent.CaseId, CancellationToken.None));
    }

    private async Task<(ILedger Ledger, ICaseLedger Cases)> FreshAsync()
    {
        var (_, ledger) = await OpenFreshAsync();
        return (ledger, (ICaseLedger)ledger);
    }

    private static Case NewCase(string account, int number, DateTimeOffset t) => new()
    {
        CaseId = CaseIds.Of(account, number),
        AccountId = account,
        Severity = Severity.High,
        MaxScore = 0.93,
        Alerts = 2,
        FirstAlertAt = t,
        LastAlertAt = t.AddMinutes(1),
        OpenedAt = t.AddMinutes(2),
        DueAt = t.AddHours(4),
        Version = 1,
    };

    private static CaseEvent Event(Case c, CaseEventKind kind, string? transactionId = null) => new(0, c.CaseId, c.OpenedAt, "system", kind, transactionId, "high");
}
