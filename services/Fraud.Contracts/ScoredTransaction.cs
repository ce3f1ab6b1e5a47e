using System.Diagnostics.CodeAnalysis;

namespace Fraud.Contracts;

/// <summary>A transaction with its score; serialises flat (the transaction's members plus these).</summary>
public record ScoredTransaction : Transaction
{
    public ScoredTransaction() { }

    [SetsRequiredMembers]
    public ScoredTransaction(
        Transaction transaction,
        double score,
        Severity severity,
        IReadOnlyList<Reason> reasons,
        string modelVersion,
        DateTimeOffset scoredAt)
        : base(transaction)
    {
        Score = score;
        Severity = severity;
        Reasons = reasons;
        ModelVersion = modelVersion;
        ScoredAt = scoredAt;
    }

    /// <summary>Probability-like score in 0..1.</summary>
    public required double Score { get; init; }
    public required Severity Severity { get; init; }
    public required IReadOnlyList<Reason> Reasons { get; init; }
    public required string ModelVersion { get; init; }
    public required DateTimeOffset ScoredAt { get; init; }
}
