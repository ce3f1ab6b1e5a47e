using Fraud.Contracts;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// Filters of <see cref="AnomalyBuffer.Query"/>, all optional and combined with "and"; results come
/// newest first, at most <paramref name="Limit"/> of them.
/// </summary>
/// <param name="MinSeverity">Keep anomalies at least this severe.</param>
/// <param name="AccountId">Keep this account's anomalies (ordinal match); served from the account index.</param>
/// <param name="Status">Keep anomalies in this review state.</param>
/// <param name="Limit">Most results returned; 0 returns none, negative is rejected.</param>
public sealed record AnomalyQuery(
    Severity? MinSeverity = null,
    string? AccountId = null,
    AnomalyStatus? Status = null,
    int Limit = 100);
