namespace Fraud.Contracts.Api;

/// <summary>An analyst's review: the new status, an optional note, and who reviews (default: the API key's name).</summary>
public sealed record ReviewRequest(AnomalyStatus? Status, string? Note, string? ReviewedBy);
