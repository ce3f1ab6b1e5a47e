using System.Text.Json.Nodes;

namespace Fraud.DaprSidecar.PubSub;

/// <summary>
/// One entry of <c>GET /dapr/subscribe</c> (dapr pkg/runtime/pubsub/subscriptions.go,
/// <c>GetSubscriptionsHTTP</c>): <c>routes.default</c> wins over <c>route</c>; bulk delivery
/// defaults to 80 messages or 10 s (components-contrib pubsub <c>DefaultMaxBulkSubCount</c>,
/// <c>DefaultMaxBulkSubAwaitDurationMs</c>). Field names match case-insensitively, as Go's
/// <c>encoding/json</c> matches them (the .NET SDK writes <c>pubsubName</c> for <c>pubsubname</c>).
/// </summary>
public sealed record Subscription(string PubSub, string Topic, string Route, string? DeadLetterTopic, bool Bulk, int MaxMessages, TimeSpan MaxAwait)
{
    public static Subscription? Parse(JsonObject item)
    {
        var route = Field(Field(item, "routes"), "default")?.GetValue<string>() ?? Field(item, "route")?.GetValue<string>();
        if (string.IsNullOrEmpty(route))
        {
            return null;
        }

        var bulk = Field(item, "bulkSubscribe");
        return new Subscription(
            Field(item, "pubsubname")!.GetValue<string>(),
            Field(item, "topic")!.GetValue<string>(),
            route.TrimStart('/'),
            Field(item, "deadLetterTopic")?.GetValue<string>() is { Length: > 0 } dead ? dead : null,
            Field(bulk, "enabled")?.GetValue<bool>() == true,
            Field(bulk, "maxMessagesCount")?.GetValue<int>() is > 0 and var max ? max : 80,
            TimeSpan.FromMilliseconds(Field(bulk, "maxAwaitDurationMs")?.GetValue<int>() is > 0 and var wait ? wait : 10_000));
    }

    private static JsonNode? Field(JsonNode? node, string name) =>
        node is JsonObject o ? o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value : null;
}
