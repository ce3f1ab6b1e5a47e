namespace Fraud.Contracts;

/// <summary>A case is open while it waits for its verdict, closed once it has one. Serialised in snake_case.</summary>
public enum CaseStatus
{
    Open,
    Closed,
}
