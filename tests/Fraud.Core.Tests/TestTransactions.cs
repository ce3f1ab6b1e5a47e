using Fraud.Contracts;

namespace Fraud.Core.Tests;

/// <summary>Terse construction of transactions for tests.</summary>
internal static class TestTransactions
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    private static int _next;

    public static Transaction Tx(
        string account,
        double minutes,
        decimal amount,
        string? merchant = null,
        string? device = null,
        string? country = null,
        double? lat = null,
        double? lon = null,
        string? id = null,
        Channel? channel = null) => new()
    {
        TransactionId = id ?? $"t{Interlocked.Increment(ref _next)}",
        AccountId = account,
        Timestamp = Start.AddMinutes(minutes),
        Amount = amount,
        MerchantId = merchant,
        DeviceId = device,
        Country = country,
        Latitude = lat,
        Longitude = lon,
        Channel = channel,
    };

    public static LabelledTransaction Row(Transaction tx, bool? isFraud = null, string? scenario = null) => new(tx, isFraud, scenario, 0);
}
