namespace Fraud.Contracts.Api;

/// <summary><see cref="ModelVersion"/> is the version that scored most of the window's transactions.</summary>
public sealed record StatsResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    long Transactions,
    long Anomalies,
    double TransactionsPerSecond,
    IReadOnlyDictionary<string, long> BySeverity,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> ByModelVersion,
    string? ModelVersion);
