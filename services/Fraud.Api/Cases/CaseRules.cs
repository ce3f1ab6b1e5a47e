using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Api.Cases;

/// <summary>
/// How a case changes, without I/O: each function takes the case as stored and returns the change
/// to save. A case's deadline is set by its highest severity from when it opened; a new alert of a
/// higher severity brings the deadline forward (never back), counted from the alert's filing.
/// </summary>
public static class CaseRules
{
    public const string System = "system";

    public static CaseChange Open(string accountId, int number, IReadOnlyList<UncasedAlert> filed, CaseOptions options, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfZero(filed.Count);
        var alerts = InTimeOrder(filed);
        var severity = alerts.Max(a => a.Severity);
        var opened = new Case
        {
            CaseId = CaseIds.Of(accountId, number),
            AccountId = accountId,
            Status = CaseStatus.Open,
            Severity = severity,
            MaxScore = alerts.Max(a => a.Score),
            Alerts = alerts.Count,
            FirstAlertAt = alerts.Min(a => a.Timestamp),
            LastAlertAt = alerts.Max(a => a.Timestamp),
            OpenedAt = now,
            DueAt = now + options.DeadlineFor(severity),
            Version = 1,
        };
        List<CaseEvent> events = [Event(opened, now, System, CaseEventKind.Opened, value: WireNames.Name(severity))];
        events.AddRange(alerts.Select(a => Event(opened, now, System, CaseEventKind.AlertAdded, a.TransactionId, WireNames.Name(a.Severity))));
        return new CaseChange(opened, 0, events, [.. alerts.Select(a => a.TransactionId)]);
    }

    public static CaseChange File(Case current, IReadOnlyList<UncasedAlert> filed, CaseOptions options, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfZero(filed.Count);
        var alerts = InTimeOrder(filed);
        var severity = (Severity)Math.Max((int)current.Severity, (int)alerts.Max(a => a.Severity));
        var due = severity > current.Severity ? Min(current.DueAt, now + options.DeadlineFor(severity)) : current.DueAt;
        var updated = current with
        {
            Severity = severity,
            MaxScore = Math.Max(current.MaxScore, alerts.Max(a => a.Score)),
            Alerts = current.Alerts + alerts.Count,
            FirstAlertAt = Min(current.FirstAlertAt, alerts.Min(a => a.Timestamp)),
            LastAlertAt = Max(current.LastAlertAt, alerts.Max(a => a.Timestamp)),
            DueAt = due,
            Version = current.Version + 1,
        };
        return new CaseChange(
            updated,
            current.Version,
            [.. alerts.Select(a => Event(updated, now, System, CaseEventKind.AlertAdded, a.TransactionId, WireNames.Name(a.Severity)))],
            [.. alerts.Select(a => a.TransactionId)]);
    }

    public static CaseChange Assign(Case current, string? assignee, string by, DateTimeOffset now)
    {
        var updated = current with { AssignedTo = assignee, Version = current.Version + 1 };
        return new CaseChange(updated, current.Version,
            [Event(updated, now, by, assignee is null ? CaseEventKind.Unassigned : CaseEventKind.Assigned, value: assignee)], []);
    }

    public static CaseChange Note(Case current, string note, string by, DateTimeOffset now)
    {
        var updated = current with { Version = current.Version + 1 };
        return new CaseChange(updated, current.Version, [Event(updated, now, by, CaseEventKind.Noted, note: note)], []);
    }

    public static CaseChange Close(Case current, AnomalyStatus verdict, string by, string? note, DateTimeOffset now)
    {
        if (verdict == AnomalyStatus.Open)
        {
            throw new ArgumentException("a verdict closes a case: confirmed_fraud, false_positive or dismissed", nameof(verdict));
        }

        var updated = current with
        {
            Status = CaseStatus.Closed,
            Verdict = verdict,
            ClosedBy = by,
            ClosedAt = now,
            Note = note ?? current.Note,
            Version = current.Version + 1,
        };
        return new CaseChange(updated, current.Version, [Event(updated, now, by, CaseEventKind.Closed, value: WireNames.Name(verdict), note: note)], []);
    }

    /// <summary>The escalation of an open case past its deadline; null when there is none to make.</summary>
    public static CaseChange? Escalate(Case current, DateTimeOffset now)
    {
        if (current.Status != CaseStatus.Open || current.EscalatedAt is not null || current.DueAt > now)
        {
            return null;
        }

        var updated = current with { EscalatedAt = now, Version = current.Version + 1 };
        return new CaseChange(updated, current.Version, [Event(updated, now, System, CaseEventKind.Escalated, value: WireNames.Name(current.Severity))], []);
    }

    private static CaseEvent Event(Case c, DateTimeOffset at, string by, CaseEventKind kind, string? transactionId = null, string? value = null, string? note = null) =>
        new(0, c.CaseId, at, by, kind, transactionId, value, note);

    /// <summary>The history lists a filing's alerts in the order they happened.</summary>
    private static List<UncasedAlert> InTimeOrder(IReadOnlyList<UncasedAlert> alerts) =>
        [.. alerts.OrderBy(a => a.Timestamp).ThenBy(a => a.TransactionId, StringComparer.Ordinal)];

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
