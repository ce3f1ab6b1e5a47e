namespace Fraud.Contracts;

/// <summary>
/// What happened to a case (<see cref="CaseEvent"/>), serialised in snake_case. <c>value</c> of the
/// event says what to: the severity (<c>opened</c>, <c>alert_added</c>, <c>escalated</c>), the
/// assignee (<c>assigned</c>), the verdict or review status (<c>closed</c>, <c>alert_reviewed</c>).
/// </summary>
public enum CaseEventKind
{
    Opened,
    AlertAdded,
    Assigned,
    Unassigned,
    Escalated,
    Noted,
    Closed,
    AlertReviewed,
}
