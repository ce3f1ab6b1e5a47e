namespace Fraud.Contracts;

/// <summary>How the payment was made. Serialised in snake_case (<c>card_present</c>, ...).</summary>
public enum Channel
{
    CardPresent,
    Online,
    Atm,
    Transfer,
}
