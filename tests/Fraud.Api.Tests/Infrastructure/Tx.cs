using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Fraud.Api.Tests.Infrastructure;

/// <summary>
/// Transactions as producers send them (JSON), and small scenarios whose outcome the default rules
/// decide exactly (the tests run rules-only: prior 0.5 %, so a score is σ(ln(0.005/0.995) + Σ boosts)).
/// </summary>
public static class Tx
{
    /// <summary>A Monday morning all scenarios are placed around.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static JsonObject One(
        string id,
        string account,
        DateTimeOffset at,
        decimal amount,
        string? merchant = null,
        string? device = null,
        string? country = null,
        (double Lat, double Lon)? location = null)
    {
        var tx = new JsonObject
        {
            ["transactionId"] = id,
            ["accountId"] = account,
            ["timestamp"] = Iso(at),
            ["amount"] = amount,
            ["currency"] = "EUR",
        };
        if (merchant is not null)
        {
            tx["merchantId"] = merchant;
        }

        if (device is not null)
        {
            tx["deviceId"] = device;
        }

        if (country is not null)
        {
            tx["country"] = country;
        }

        if (location is { } l)
        {
            tx["latitude"] = l.Lat;
            tx["longitude"] = l.Lon;
        }

        return tx;
    }

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static StringContent Json(IEnumerable<JsonObject> transactions) => Json(new JsonArray([.. transactions]));

    public static StringContent Json(JsonNode node) => Raw(node.ToJsonString());

    public static StringContent Raw(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>
    /// Card testing: three days of ordinary spending at a merchant, then <paramref name="burst"/> charges
    /// of 1.00 one minute apart at the same merchant (so NEW_MERCHANT never fires). From the 10th charge
    /// on, both CARD_TESTING (≥ 4 small ones in the hour before) and VELOCITY (≥ 10 in the hour) fire:
    /// σ(−5.29 + 4 + 2.5) = 0.77, severity high.
    /// Ids are <c>{prefix}-h{d}</c> and <c>{prefix}-{i}</c>; anomalies are <c>{prefix}-9</c> … <c>{prefix}-{burst-1}</c>.
    /// </summary>
    public static List<JsonObject> CardTesting(string prefix, string account, DateTimeOffset burstStart, int burst = 12, string? merchant = null)
    {
        var list = new List<JsonObject>();
        for (var d = 3; d >= 1; d--)
        {
            list.Add(One($"{prefix}-h{d}", account, burstStart.AddDays(-d), 40m + d, merchant ?? $"m-tester-{prefix}"));
        }

        for (var i = 0; i < burst; i++)
        {
            list.Add(One($"{prefix}-{i}", account, burstStart.AddMinutes(i), 1.00m, merchant ?? $"m-tester-{prefix}"));
        }

        return list;
    }

    /// <summary>The anomaly ids of <see cref="CardTesting"/>.</summary>
    public static IEnumerable<string> CardTestingAnomalies(string prefix, int burst = 12) =>
        Enumerable.Range(9, burst - 9).Select(i => $"{prefix}-{i}");

    /// <summary>
    /// Impossible travel: three days in Paris on one device, then 30 minutes after the last, a charge
    /// in São Paulo on a new device: IMPOSSIBLE_TRAVEL and NEW_DEVICE_AND_COUNTRY fire,
    /// σ(−5.29 + 4.5 + 3.5) = 0.94, severity critical. The anomaly is <c>{prefix}-x</c>.
    /// </summary>
    public static List<JsonObject> ImpossibleTravel(string prefix, string account, DateTimeOffset at)
    {
        var paris = (48.8566, 2.3522);
        var list = new List<JsonObject>();
        for (var d = 3; d >= 1; d--)
        {
            list.Add(One($"{prefix}-h{d}", account, at.AddDays(-d).AddMinutes(-30), 60m, "m-cafe", "d-home", "FR", paris));
        }

        list.Add(One($"{prefix}-h0", account, at.AddMinutes(-30), 60m, "m-cafe", "d-home", "FR", paris));
        list.Add(One($"{prefix}-x", account, at, 60m, "m-far", "d-new", "BR", (-23.5505, -46.6333)));
        return list;
    }

    /// <summary>
    /// Ten charges within the hour, the tenth from a new device in a new country: VELOCITY and
    /// NEW_DEVICE_AND_COUNTRY fire, σ(−5.29 + 2.5 + 3.5) = 0.67, severity medium. The anomaly is <c>{prefix}-9</c>.
    /// </summary>
    public static List<JsonObject> VelocityNewDevice(string prefix, string account, DateTimeOffset last)
    {
        var list = new List<JsonObject>();
        for (var i = 0; i < 9; i++)
        {
            list.Add(One($"{prefix}-{i}", account, last.AddMinutes(-45 + i * 5), 30m, "m-shop", "d-a", "FR"));
        }

        list.Add(One($"{prefix}-9", account, last, 30m, "m-shop", "d-b", "DE"));
        return list;
    }

    /// <summary>An ordinary purchase that raises nothing.</summary>
    public static JsonObject Quiet(string id, string account, DateTimeOffset at, decimal amount = 25m) => One(id, account, at, amount, "m-grocer");
}
