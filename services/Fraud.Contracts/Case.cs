namespace Fraud.Contracts;

/// <summary>
/// An analyst's unit of work: the alerts of one account, open while new ones keep arriving and
/// until a verdict closes it. <see cref="CaseId"/> is the account id, <c>~</c> and the account's case
/// number (<c>acct-42~3</c>). <see cref="DueAt"/> is the deadline its severity sets from when the
/// case opened or last rose in severity; <see cref="EscalatedAt"/> is when it passed unresolved.
/// <see cref="Version"/> grows with every change (the ETag).
/// </summary>
public sealed record Case
{
    public required string CaseId { get; init; }
    public required string AccountId { get; init; }
    public CaseStatus Status { get; init; }
    public Severity Severity { get; init; }
    public double MaxScore { get; init; }
    public int Alerts { get; init; }
    /// <summary>Transaction time of the case's first and latest alert.</summary>
    public DateTimeOffset FirstAlertAt { get; init; }
    public DateTimeOffset LastAlertAt { get; init; }
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
    public string? AssignedTo { get; init; }
    /// <summary>The verdict that closed the case (confirmed_fraud, false_positive or dismissed).</summary>
    public AnomalyStatus? Verdict { get; init; }
    public string? ClosedBy { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? Note { get; init; }
    public long Version { get; init; }
}
