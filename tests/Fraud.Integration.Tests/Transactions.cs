using System.Globalization;
using System.Text;

namespace Fraud.Integration.Tests;

/// <summary>Request bodies in the event contract's JSON, written by hand so the tests check the wire format too.</summary>
internal static class Transactions
{
    public static StringContent Json(IEnumerable<string> objects) =>
        new("[" + string.Join(',', objects) + "]", Encoding.UTF8, "application/json");

    public static string One(string id, string account, DateTimeOffset time, decimal amount, string? merchant = "merch-1") =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"transactionId":"{{id}}","accountId":"{{account}}","timestamp":"{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","amount":{{amount}}{{(merchant is null ? "" : $",\"merchantId\":\"{merchant}\"")}},"currency":"EUR","country":"FR","channel":"online"}""");
}
