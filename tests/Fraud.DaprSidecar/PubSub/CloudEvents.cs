using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fraud.DaprSidecar.PubSub;

/// <summary>
/// The CloudEvent daprd wraps a published payload in (dapr pkg/api/grpc/grpc.go <c>PublishEvent</c>
/// → pkg/runtime/pubsub/cloudevents.go <c>NewCloudEvent</c> → components-contrib
/// pubsub/envelope.go <c>NewCloudEventsEnvelope</c>): JSON data is embedded, other text is a
/// string, binary goes to <c>data_base64</c>; a payload that already is a CloudEvent is kept, with
/// <c>topic</c> and <c>pubsubname</c> overwritten (<c>FromCloudEvent</c>).
/// </summary>
public static class CloudEvents
{
    public const string ContentType = "application/cloudevents+json";

    public static byte[] Wrap(string appId, string pubsub, string topic, ReadOnlySpan<byte> data, string? dataContentType, IReadOnlyDictionary<string, string> metadata)
    {
        var contentType = string.IsNullOrEmpty(dataContentType) ? "text/plain" : dataContentType;
        JsonObject envelope;
        if (contentType.StartsWith(ContentType, StringComparison.Ordinal) && TryParse(data) is JsonObject existing)
        {
            envelope = existing;
        }
        else
        {
            envelope = new JsonObject
            {
                ["id"] = metadata.GetValueOrDefault("cloudevent.id") ?? Guid.NewGuid().ToString(),
                ["specversion"] = "1.0",
                ["datacontenttype"] = contentType,
                ["source"] = metadata.GetValueOrDefault("cloudevent.source") ?? appId,
                ["type"] = metadata.GetValueOrDefault("cloudevent.type") ?? "com.dapr.event.sent",
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (IsJson(contentType) && TryParse(data) is { } json)
            {
                envelope["data"] = json;
            }
            else if (System.Text.Unicode.Utf8.IsValid(data))
            {
                envelope["data"] = Encoding.UTF8.GetString(data);
            }
            else
            {
                envelope["data_base64"] = Convert.ToBase64String(data);
            }
        }

        envelope["topic"] = topic;
        envelope["pubsubname"] = pubsub;
        envelope["traceid"] = string.Empty;
        envelope["traceparent"] = string.Empty;
        envelope["tracestate"] = string.Empty;
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    private static bool IsJson(string contentType) =>
        contentType.StartsWith("application/json", StringComparison.Ordinal) || contentType.Contains("+json", StringComparison.Ordinal);

    private static JsonNode? TryParse(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
