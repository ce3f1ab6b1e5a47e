namespace Fraud.Contracts;

/// <summary>The answer of <c>POST /score</c>.</summary>
public sealed record ScoreResponse(
    string TransactionId,
    double Score,
    Severity Severity,
    bool IsAnomaly,
    IReadOnlyList<Reason> Reasons,
    string ModelVersion,
    DateTimeOffset ScoredAt);
