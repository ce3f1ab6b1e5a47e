using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>
/// Delivery bodies in Dapr's wire format and events in the documented contract (camelCase,
/// snake_case enums), written by hand so the tests check the formats, not the app's own serialiser.
/// </summary>
internal static class Events
{
    /// <summary>Transaction times of the tests: a Monday morning, before <see cref="DetectorHost.Now"/>.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static string Transaction(string id, string account, DateTimeOffset time, decimal amount, string? merchant = "merch-1") =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"transactionId":"{{id}}","accountId":"{{account}}","timestamp":"{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","amount":{{amount}}{{(merchant is null ? "" : $",\"merchantId\":\"{merchant}\"")}},"currency":"EUR","country":"FR","channel":"online"}""");

    /// <summary>A card-testing burst: five small amounts a few minutes apart, then a large one. Only the last is an anomaly.</summary>
    public static IReadOnlyList<string> CardTestingBurst(string account, string prefix, DateTimeOffset start, string merchant = "merch-1") =>
    [
        .. Enumerable.Range(0, 5).Select(i => Transaction($"{prefix}-{i}", account, start.AddMinutes(5 * i), 1.00m, merchant)),
        Transaction($"{prefix}-5", account, start.AddMinutes(30), 950.00m, merchant),
    ];

    /// <summary>A CloudEvent as the sidecar delivers what was published through Dapr: JSON data inline.</summary>
    public static string CloudEvent(string dataJson, string topic = "transactions", string? id = null) =>
        $$"""{"specversion":"1.0","id":"{{id ?? Guid.NewGuid().ToString()}}","source":"fraud-api","type":"com.dapr.event.sent","datacontenttype":"application/json","pubsubname":"pubsub","topic":"{{topic}}","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","data":{{dataJson}}}""";

    /// <summary>A CloudEvent whose data is the JSON as a string (text/plain).</summary>
    public static string CloudEventWithTextData(string dataJson) =>
        $$"""{"specversion":"1.0","id":"{{Guid.NewGuid()}}","source":"producer","type":"com.dapr.event.sent","datacontenttype":"text/plain","pubsubname":"pubsub","topic":"transactions","data":{{JsonSerializer.Serialize(dataJson)}}}""";

    /// <summary>A CloudEvent with binary data (<c>data_base64</c>).</summary>
    public static string CloudEventWithBase64Data(string dataJson) =>
        $$"""{"specversion":"1.0","id":"{{Guid.NewGuid()}}","source":"producer","type":"com.dapr.event.sent","datacontenttype":"application/octet-stream","pubsubname":"pubsub","topic":"transactions","data_base64":"{{Base64(dataJson)}}"}""";

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static (string EntryId, string Event, string ContentType) CloudEventEntry(string entryId, string dataJson) =>
        (entryId, CloudEvent(dataJson), "application/cloudevents+json");

    /// <summary>A plain JSON message from a producer writing straight to Kafka, delivered as is.</summary>
    public static (string EntryId, string Event, string ContentType) RawEntry(string entryId, string json) =>
        (entryId, json, "application/json");

    /// <summary>A message of a <c>rawPayload</c> subscription: its bytes, base64-encoded.</summary>
    public static (string EntryId, string Event, string ContentType) RawPayloadEntry(string entryId, string bytes) =>
        (entryId, JsonSerializer.Serialize(Base64(bytes)), "application/octet-stream");

    /// <summary>Dapr's bulk delivery body (<c>BulkSubscribeEnvelope</c>).</summary>
    public static string Bulk(params (string EntryId, string Event, string ContentType)[] entries)
    {
        var items = entries.Select(e =>
            $$$"""{"entryId":"{{{e.EntryId}}}","event":{{{e.Event}}},"contentType":"{{{e.ContentType}}}","metadata":{"partition":"3"}}""");
        return $$$"""{"entries":[{{{string.Join(',', items)}}}],"id":"{{{Guid.NewGuid()}}}","topic":"transactions","pubsubname":"pubsub","type":"com.dapr.event.sent.bulk","metadata":{}}""";
    }

    /// <summary>The bulk answer's statuses by entry id; every entry must be answered exactly once.</summary>
    public static IReadOnlyDictionary<string, string> Statuses(JsonDocument answer)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in answer.RootElement.GetProperty("statuses").EnumerateArray())
        {
            statuses.Add(item.GetProperty("entryId").GetString()!, item.GetProperty("status").GetString()!);
        }

        return statuses;
    }

    public static string Verdict(string transactionId, string account, DateTimeOffset transactionTime, string status, string? merchant = "merch-1") =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"transactionId":"{{transactionId}}","accountId":"{{account}}"{{(merchant is null ? "" : $",\"merchantId\":\"{merchant}\"")}},"transactionTime":"{{transactionTime.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","status":"{{status}}","reviewedBy":"analyst-7","reviewedAt":"2026-03-02T11:00:00Z"}""");
}
