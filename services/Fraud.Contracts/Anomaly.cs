using System.Diagnostics.CodeAnalysis;

namespace Fraud.Contracts;

/// <summary>A scored transaction at or above the alert threshold, with its review state.</summary>
public sealed record Anomaly : ScoredTransaction
{
    public Anomaly() { }

    [SetsRequiredMembers]
    public Anomaly(ScoredTransaction scored) : base(scored) { }

    public AnomalyStatus Status { get; init; } = AnomalyStatus.Open;
    public string? ReviewedBy { get; init; }
    public DateTimeOffset? ReviewedAt { get; init; }
    public string? Note { get; init; }
}
