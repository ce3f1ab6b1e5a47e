using Fraud.Contracts;

namespace Fraud.Api.Cases;

public enum CaseOutcomeKind
{
    Done,
    /// <summary>Nothing to do (an escalation before the deadline, or of a case already escalated or closed).</summary>
    Unchanged,
    NotFound,
    /// <summary>The case is closed: it takes no assignment and no second verdict.</summary>
    Closed,
    /// <summary>The case is not at the version the caller read (If-Match), or changed under the command.</summary>
    Conflict,
}

/// <summary>
/// What a command did: the case as it now is, the alerts a verdict reviewed, and the deadline its
/// owner is to keep: <see cref="Deadline"/> to arm, or <see cref="DeadlineCleared"/>.
/// </summary>
public sealed record CaseOutcome(CaseOutcomeKind Kind, Case? Case, int AlertsReviewed = 0, DateTimeOffset? Deadline = null, bool DeadlineCleared = false);
