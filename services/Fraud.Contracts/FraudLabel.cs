namespace Fraud.Contracts;

/// <summary>
/// A verdict on one transaction that has become known (a chargeback, an analyst's review). It names
/// the transaction's own time, account and merchant so the profiles can credit the right windows.
/// </summary>
public readonly record struct FraudLabel(
    string TransactionId,
    string AccountId,
    string? MerchantId,
    DateTimeOffset TransactionTime,
    bool IsFraud);
