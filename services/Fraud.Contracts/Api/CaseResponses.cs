namespace Fraud.Contracts.Api;

/// <summary>A page of <c>GET /cases</c>, in queue order; <see cref="NextCursor"/> fetches the next one.</summary>
public sealed record CaseListResponse(IReadOnlyList<Case> Items, string? NextCursor);

/// <summary><c>GET /cases/{id}</c>: the case, its alerts (newest first) and its history (oldest first).</summary>
public sealed record CaseDetail(Case Case, IReadOnlyList<Anomaly> Alerts, IReadOnlyList<CaseEvent> History);

/// <summary>
/// <c>GET /cases/{id}/timeline</c>: every scored transaction of the case's account in [from, to) of
/// transaction time, flagged or not, newest first; <see cref="Truncated"/> when there were more.
/// </summary>
public sealed record CaseTimeline(string AccountId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TimelineEntry> Transactions, bool Truncated);

/// <summary>One transaction of a timeline: as scored, whether it alerted, and the alert's review status.</summary>
public sealed record TimelineEntry(ScoredTransaction Transaction, bool Alert, AnomalyStatus? Status);

/// <summary>What a case action did: the case as it now is, and how many alerts a verdict reviewed.</summary>
public sealed record CaseActionResponse(Case Case, int AlertsReviewed);

/// <summary>Per case of a bulk action: <c>done</c>, <c>not_found</c>, <c>closed</c> (no longer open) or <c>invalid</c>, with the case when there is one.</summary>
public sealed record BulkCaseResult(string CaseId, string Outcome, string? Detail, Case? Case, int AlertsReviewed);

public sealed record BulkCaseResponse(IReadOnlyList<BulkCaseResult> Results);
