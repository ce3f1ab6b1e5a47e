namespace Fraud.Contracts;

/// <summary>Review state of an anomaly. Serialised in snake_case (<c>confirmed_fraud</c>, ...).</summary>
public enum AnomalyStatus
{
    Open,
    ConfirmedFraud,
    FalsePositive,
    Dismissed,
}
