using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fraud.Detector.Subscriptions;

/// <summary>One entry of a Dapr bulk delivery: its id, the event as delivered, and its content type.</summary>
public readonly record struct DeliveryEntry(string EntryId, JsonElement Event, string? ContentType);

/// <summary>The app's answer for one entry: <c>SUCCESS</c>, <c>RETRY</c> or <c>DROP</c>.</summary>
public sealed record EntryStatus(
    [property: JsonPropertyName("entryId")] string EntryId,
    [property: JsonPropertyName("status")] string Status);

/// <summary>The app's answer to a bulk delivery (Dapr's <c>BulkSubscribeAppResponse</c> on the wire).</summary>
public sealed record BulkResponse([property: JsonPropertyName("statuses")] IReadOnlyList<EntryStatus> Statuses);

/// <summary>The app's answer to a single delivery.</summary>
public sealed record DeliveryResponse([property: JsonPropertyName("status")] string Status);

public static class DeliveryStatus
{
    public const string Success = "SUCCESS";
    public const string Retry = "RETRY";
    public const string Drop = "DROP";
}

[JsonSerializable(typeof(BulkResponse))]
[JsonSerializable(typeof(DeliveryResponse))]
internal sealed partial class DeliveryJsonContext : JsonSerializerContext;
