namespace Fraud.Contracts;

/// <summary>The fields a file can carry, by their canonical snake_case names (CSV headers; JSON uses their camelCase forms).</summary>
public enum CanonicalField
{
    TransactionId,
    AccountId,
    Timestamp,
    Amount,
    MerchantId,
    MerchantCategory,
    Currency,
    Country,
    Channel,
    DeviceId,
    Latitude,
    Longitude,
    IsFraud,
    FraudScenario,
}

public static class CanonicalFields
{
    public const int Count = (int)CanonicalField.FraudScenario + 1;

    private static readonly string[] Names =
    [
        "transaction_id", "account_id", "timestamp", "amount", "merchant_id", "merchant_category", "currency",
        "country", "channel", "device_id", "latitude", "longitude", "is_fraud", "fraud_scenario",
    ];

    public static string Name(CanonicalField field) => Names[(int)field];

    public static IReadOnlyList<string> All => Names;

    public static bool IsRequired(CanonicalField field) =>
        field is CanonicalField.TransactionId or CanonicalField.AccountId or CanonicalField.Timestamp or CanonicalField.Amount;

    public static bool TryParse(string name, out CanonicalField field)
    {
        var index = Array.IndexOf(Names, name.Trim().ToLowerInvariant());
        field = (CanonicalField)Math.Max(index, 0);
        return index >= 0;
    }
}
