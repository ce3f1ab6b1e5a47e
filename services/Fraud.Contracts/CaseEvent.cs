namespace Fraud.Contracts;

/// <summary>
/// One entry of a case's history: when, who (an API key's or analyst's name, or <c>system</c>), what
/// (<see cref="CaseEventKind"/>), and the alert, value and note it concerns.
/// </summary>
public sealed record CaseEvent(
    long Sequence,
    string CaseId,
    DateTimeOffset At,
    string By,
    CaseEventKind Kind,
    string? TransactionId = null,
    string? Value = null,
    string? Note = null);
