namespace Fraud.Contracts;

/// <summary>Severity band of a score. Ordered: comparisons mean "at least as severe".</summary>
public enum Severity
{
    None,
    Low,
    Medium,
    High,
    Critical,
}
