namespace Fraud.Contracts;

/// <summary>Whether two copies of a transaction id say the same thing (as the ledger keeps it: times to the microsecond).</summary>
public static class TransactionContent
{
    public static bool Same(Transaction a, Transaction b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.TransactionId == b.TransactionId
            && a.AccountId == b.AccountId
            && Microseconds(a.Timestamp) == Microseconds(b.Timestamp)
            && a.Amount == b.Amount
            && a.MerchantId == b.MerchantId
            && a.MerchantCategory == b.MerchantCategory
            && a.Currency == b.Currency
            && a.Country == b.Country
            && a.Channel == b.Channel
            && a.DeviceId == b.DeviceId
            && a.Latitude == b.Latitude
            && a.Longitude == b.Longitude;
    }

    private static long Microseconds(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerMicrosecond;
}
