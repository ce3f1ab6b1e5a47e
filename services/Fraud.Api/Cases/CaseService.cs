using Fraud.Api.Reviews;
using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Ledger;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Cases;

/// <summary>
/// Carries out a command on an account's case: reads the case from the ledger, decides with
/// <see cref="CaseRules"/>, saves the change. Its caller, the account's case owner, runs one command
/// per account at a time (the actor's turn, or the embedded twin's lock), so a save fails only when
/// a command from before an owner moved (a rebalance) or a second intake raced it; the command is
/// then decided again on what is stored.
/// </summary>
public sealed class CaseService(ICaseLedger cases, AnomalyReviewer reviews, IOptions<CaseOptions> options)
{
    /// <summary>A verdict reviews at most this many of the case's alerts (the newest); the rest stay open for review one by one.</summary>
    public const int MaxAlertsPerVerdict = 10_000;

    private const int Attempts = 3;

    private readonly CaseOptions _options = options.Value;

    public async Task<CaseOutcome> ExecuteAsync(string accountId, CaseCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var attempt = 1; ; attempt++)
        {
            var now = reviews.Now();
            var (outcome, change) = command.Kind == CaseCommandKind.File
                ? await DecideFilingAsync(accountId, command, now, cancellationToken).ConfigureAwait(false)
                : await DecideAsync(accountId, command, now, cancellationToken).ConfigureAwait(false);
            if (change is null)
            {
                return outcome;
            }

            var reviewed = 0;
            if (command.Kind == CaseCommandKind.Close)
            {
                reviewed = await ReviewOpenAlertsAsync(change.Case.CaseId, command, now, cancellationToken).ConfigureAwait(false);
            }

            if (await cases.SaveCaseAsync(change, cancellationToken).ConfigureAwait(false))
            {
                CaseMetrics.Record(command.Kind, change);
                var c = change.Case;
                var armed = c.Status == CaseStatus.Open && c.EscalatedAt is null && (change.ExpectedVersion == 0 || c.DueAt != outcome.Case?.DueAt);
                return new CaseOutcome(CaseOutcomeKind.Done, c, reviewed,
                    Deadline: armed ? c.DueAt : null,
                    DeadlineCleared: c.Status == CaseStatus.Closed && c.EscalatedAt is null);
            }

            if (attempt == Attempts)
            {
                return new CaseOutcome(CaseOutcomeKind.Conflict, await cases.GetCaseAsync(change.Case.CaseId, cancellationToken).ConfigureAwait(false));
            }
        }
    }

    /// <summary>New alerts go to the account's open case, or open its next one. The outcome carries the case as read (for the deadline).</summary>
    private async Task<(CaseOutcome Outcome, CaseChange? Change)> DecideFilingAsync(string accountId, CaseCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (command.Alerts is not { Count: > 0 } alerts || alerts.Any(a => a.AccountId != accountId))
        {
            throw new ArgumentException("a filing carries alerts of its own account only", nameof(command));
        }

        var open = await cases.OpenCaseOfAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (open is not null)
        {
            return (new CaseOutcome(CaseOutcomeKind.Unchanged, open), CaseRules.File(open, alerts, _options, now));
        }

        var number = await cases.LastCaseNumberAsync(accountId, cancellationToken).ConfigureAwait(false) + 1;
        return (new CaseOutcome(CaseOutcomeKind.Unchanged, null), CaseRules.Open(accountId, number, alerts, _options, now));
    }

    private async Task<(CaseOutcome Outcome, CaseChange? Change)> DecideAsync(string accountId, CaseCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = command.CaseId is null ? null : await cases.GetCaseAsync(command.CaseId, cancellationToken).ConfigureAwait(false);
        if (current is null || current.AccountId != accountId)
        {
            return (new CaseOutcome(CaseOutcomeKind.NotFound, null), null);
        }

        if (command.IfVersion is { } expected && expected != current.Version)
        {
            return (new CaseOutcome(CaseOutcomeKind.Conflict, current), null);
        }

        if (command.Kind == CaseCommandKind.Escalate)
        {
            var escalation = CaseRules.Escalate(current, now);
            // Not due yet (the deadline a reminder was set for moved): the owner sets it again.
            var rearm = escalation is null && current.Status == CaseStatus.Open && current.EscalatedAt is null ? current.DueAt : (DateTimeOffset?)null;
            return (new CaseOutcome(CaseOutcomeKind.Unchanged, current, Deadline: rearm), escalation);
        }

        if (current.Status == CaseStatus.Closed && command.Kind != CaseCommandKind.Note)
        {
            return (new CaseOutcome(CaseOutcomeKind.Closed, current), null);
        }

        var change = command.Kind switch
        {
            CaseCommandKind.Assign => current.AssignedTo == command.Assignee ? null : CaseRules.Assign(current, command.Assignee, command.By, now),
            CaseCommandKind.Note => CaseRules.Note(current, command.Note ?? string.Empty, command.By, now),
            CaseCommandKind.Close => CaseRules.Close(current, command.Verdict ?? throw new ArgumentException("a verdict is required", nameof(command)), command.By, command.Note, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, "not a case command"),
        };
        return (new CaseOutcome(CaseOutcomeKind.Done, current), change);
    }

    /// <summary>
    /// Each alert of the case still open gets the verdict, conditionally on the copy just read: one
    /// reviewed alone meanwhile keeps that review. Idempotent, so a close retried after a failure
    /// reviews only what is still open.
    /// </summary>
    private async Task<int> ReviewOpenAlertsAsync(string caseId, CaseCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reviewed = 0;
        var alerts = await cases.CaseAlertsAsync(caseId, MaxAlertsPerVerdict, cancellationToken).ConfigureAwait(false);
        foreach (var alert in alerts.Reverse())
        {
            if (alert.Status != AnomalyStatus.Open)
            {
                continue;
            }

            var review = new Review(command.Verdict!.Value, command.By, now, command.Note ?? alert.Note);
            var result = await reviews.ReviewAsync(alert.TransactionId, review, AnomalyETag.Of(alert), cancellationToken).ConfigureAwait(false);
            reviewed += result.Outcome == ReviewOutcome.Updated ? 1 : 0;
        }

        return reviewed;
    }
}
