namespace Fraud.Contracts.Api;

/// <summary>A page of <c>GET /anomalies</c>; <see cref="NextCursor"/> fetches the next one.</summary>
public sealed record AnomalyListResponse(IReadOnlyList<Anomaly> Items, string? NextCursor);
