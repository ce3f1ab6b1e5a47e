namespace Fraud.Contracts.Api;

/// <summary>
/// <c>GET /stats</c>. The counts are of transactions scored in [<see cref="From"/>, <see cref="To"/>)
/// (scoring time, whole minutes); <see cref="TransactionsPerSecond"/> is their average over the window.
/// <see cref="CurrentTransactionsPerSecond"/> is the rate of the last complete minute and
/// <see cref="ModelVersion"/> the model that scored the latest transactions, whatever the window.
/// </summary>
public sealed record StatsResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    long Transactions,
    long Anomalies,
    double TransactionsPerSecond,
    IReadOnlyDictionary<string, long> BySeverity,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> ByModelVersion,
    double CurrentTransactionsPerSecond,
    string? ModelVersion);
