using Fraud.Contracts;

namespace Fraud.Core.Features;

/// <summary>
/// What the profiles need of a transaction, computed once: times in seconds, hashes of the ids,
/// numbers as floats. Both the account and the merchant profile read the same view.
/// </summary>
public readonly struct TransactionView
{
    public TransactionView(Transaction tx)
    {
        Seconds = TimeKey.Seconds(tx.Timestamp);
        Amount = (double)tx.Amount;
        var utc = tx.Timestamp.UtcDateTime;
        HourOfDay = (float)utc.TimeOfDay.TotalHours;
        IsWeekend = utc.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        Channel = tx.Channel is { } channel ? (int)channel : -1;
        TransactionHash = StableHash.Of(tx.TransactionId);
        MerchantHash = StableHash.Of(tx.MerchantId);
        Category = tx.MerchantCategory is { Length: > 0 } category ? category : null;
        CategoryHash = StableHash.Of(Category);
        DeviceHash = StableHash.Of(tx.DeviceId);
        CountryHash = StableHash.Of(tx.Country);
        HasLocation = tx.Latitude is not null && tx.Longitude is not null;
        Latitude = tx.Latitude ?? 0;
        Longitude = tx.Longitude ?? 0;
    }

    public int Seconds { get; }
    public double Amount { get; }
    public float HourOfDay { get; }
    public bool IsWeekend { get; }
    public int Channel { get; }
    public int TransactionHash { get; }
    public int MerchantHash { get; }
    public string? Category { get; }
    public int CategoryHash { get; }
    public int DeviceHash { get; }
    public int CountryHash { get; }
    public bool HasLocation { get; }
    public double Latitude { get; }
    public double Longitude { get; }
}
