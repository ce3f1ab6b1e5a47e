namespace Fraud.Contracts;

/// <summary>
/// One explanation of a score: a stable machine code, a sentence for the analyst, and the share of
/// the evidence for fraud that this reason carries (reasons of one score sum to at most 1).
/// </summary>
public sealed record Reason(string Code, string Detail, double Weight);
