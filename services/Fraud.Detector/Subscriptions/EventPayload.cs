using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Fraud.Contracts;

namespace Fraud.Detector.Subscriptions;

/// <summary>
/// Gets the application payload out of what Dapr delivers, whatever the producer was: a CloudEvent
/// (published through Dapr: the payload is <c>data</c>, or <c>data_base64</c>), a plain JSON object
/// (a producer writing straight to Kafka, delivered as is), or a base64 string (a subscription with
/// <c>rawPayload</c>, where Dapr base64-encodes the message bytes; they may hold a CloudEvent again).
/// </summary>
public static class EventPayload
{
    /// <summary>The payload's UTF-8 JSON bytes, or null with the reason in <paramref name="errors"/>.</summary>
    public static byte[]? Extract(JsonElement delivered, List<FieldError> errors)
    {
        switch (delivered.ValueKind)
        {
            case JsonValueKind.Object:
                return delivered.TryGetProperty("specversion", out _) ? FromCloudEvent(delivered, errors) : Raw(delivered);
            case JsonValueKind.String:
                return FromBase64(delivered.GetString()!, errors);
            default:
                errors.Add(new FieldError("$", $"expected a CloudEvent or a JSON object, got {delivered.ValueKind}"));
                return null;
        }
    }

    /// <summary>The delivered value as text for a dead letter, cut at 64 KiB.</summary>
    public static string ForDeadLetter(JsonElement delivered)
    {
        var text = delivered.ValueKind == JsonValueKind.Undefined ? string.Empty : delivered.GetRawText();
        return text.Length <= 65_536 ? text : text[..65_536];
    }

    private static byte[]? FromCloudEvent(JsonElement cloudEvent, List<FieldError> errors)
    {
        if (cloudEvent.TryGetProperty("data", out var data))
        {
            switch (data.ValueKind)
            {
                case JsonValueKind.Object or JsonValueKind.Array:
                    return Raw(data);
                case JsonValueKind.String:
                    // Text data: JSON that a producer sent as a string (datacontenttype text/plain).
                    return Encoding.UTF8.GetBytes(data.GetString()!);
                default:
                    errors.Add(new FieldError("data", $"CloudEvent data must be a JSON object, got {data.ValueKind}"));
                    return null;
            }
        }

        if (cloudEvent.TryGetProperty("data_base64", out var base64) && base64.ValueKind == JsonValueKind.String)
        {
            return Decode(base64.GetString()!, "data_base64", errors);
        }

        errors.Add(new FieldError("data", "the CloudEvent has no data"));
        return null;
    }

    private static byte[]? FromBase64(string text, List<FieldError> errors)
    {
        var bytes = Decode(text, "$", errors);
        if (bytes is null)
        {
            return null;
        }

        // A raw-payload subscription still sees CloudEvents from producers that publish through Dapr.
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("specversion", out _))
            {
                return FromCloudEvent(document.RootElement, errors);
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: the transaction parser reports it with its position.
        }

        return bytes;
    }

    private static byte[]? Decode(string base64, string path, List<FieldError> errors)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            errors.Add(new FieldError(path, "expected base64 (a raw payload) or a JSON object"));
            return null;
        }
    }

    private static byte[] Raw(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).ToArray();
}
