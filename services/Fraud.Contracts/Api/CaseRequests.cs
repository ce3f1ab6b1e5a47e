namespace Fraud.Contracts.Api;

/// <summary><c>POST /cases/{id}/assign</c>: who works the case; null or absent unassigns it.</summary>
public sealed record AssignRequest(string? Assignee);

/// <summary><c>POST /cases/{id}/verdict</c>: closes the case and reviews each of its open alerts with this status.</summary>
public sealed record CaseVerdictRequest(AnomalyStatus? Status, string? Note);

/// <summary><c>POST /cases/{id}/notes</c>: a note in the case's history.</summary>
public sealed record CaseNoteRequest(string? Note);

/// <summary>
/// <c>POST /cases/bulk</c>: one action on several cases: <c>assign</c> (with <see cref="Assignee"/>,
/// null unassigns) or <c>verdict</c> (with <see cref="Status"/> and an optional note).
/// </summary>
public sealed record BulkCaseRequest(IReadOnlyList<string>? CaseIds, string? Action, string? Assignee, AnomalyStatus? Status, string? Note);
