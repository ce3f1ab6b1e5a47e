using System.Net;
using System.Text.Json;
using Fraud.Detector.Tests.Infrastructure;

namespace Fraud.Detector.Tests.Dapr;

/// <summary>
/// <c>GET /dapr/subscribe</c>: the programmatic subscriptions the sidecar reads at start-up
/// (docs.dapr.io, pubsub "programmatic subscriptions" and "bulk subscribe").
/// </summary>
public sealed class SubscriptionDiscoveryTests
{
    [Fact]
    public async Task Dapr_subscribe_lists_bulk_transactions_with_dead_letter_and_feedback_exactly()
    {
        await using var host = await DetectorHost.StartAsync();

        var (status, body) = await host.GetAsync("/dapr/subscribe");

        Assert.Equal(HttpStatusCode.OK, status);
        using (body)
        {
            Assert.NotNull(body);
            var subscriptions = body.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, subscriptions.Count);

            var transactions = Assert.Single(subscriptions, s => Member(s, "topic").GetString() == "transactions");
            Assert.Equal("pubsub", Member(transactions, "pubsubName").GetString());
            Assert.Equal("subscriptions/transactions", Member(transactions, "route").GetString()!.TrimStart('/'));
            // A dead letter topic here would make daprd move transiently failed entries to it (and ack them).
            Assert.False(TryMember(transactions, "deadLetterTopic", out var transactionsDeadLetter) && transactionsDeadLetter.ValueKind == JsonValueKind.String,
                "the transactions subscription names a dead letter topic: daprd would dead-letter transient failures instead of redelivering them");
            var bulk = Member(transactions, "bulkSubscribe");
            Assert.True(Member(bulk, "enabled").GetBoolean());
            Assert.Equal(DetectorHost.BulkMaxMessages, Member(bulk, "maxMessagesCount").GetInt32());
            Assert.Equal(DetectorHost.BulkMaxAwaitMilliseconds, Member(bulk, "maxAwaitDurationMs").GetInt32());

            var feedback = Assert.Single(subscriptions, s => Member(s, "topic").GetString() == "feedback");
            Assert.Equal("pubsub", Member(feedback, "pubsubName").GetString());
            Assert.Equal("subscriptions/feedback", Member(feedback, "route").GetString()!.TrimStart('/'));
            Assert.False(TryMember(feedback, "bulkSubscribe", out var feedbackBulk) && feedbackBulk.ValueKind == JsonValueKind.Object
                && Member(feedbackBulk, "enabled").GetBoolean());
            Assert.False(TryMember(feedback, "deadLetterTopic", out var deadLetter) && deadLetter.ValueKind == JsonValueKind.String);
        }
    }

    [Fact]
    public async Task The_embedded_detector_maps_no_dapr_routes()
    {
        await using var host = await DetectorHost.StartAsync(Fraud.Runtime.RuntimeMode.Embedded);

        var (status, _) = await host.GetAsync("/dapr/subscribe");
        var (delivery, _) = await host.PostAsync("/subscriptions/transactions", Events.CloudEvent(Events.Transaction("e-1", "acc-e", Events.T0, 5m)));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.True(delivery is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"got {delivery}");
    }

    /// <summary>The sidecar reads these names case-insensitively (Go's encoding/json); the documented spelling is checked first.</summary>
    private static JsonElement Member(JsonElement element, string name) =>
        TryMember(element, name, out var value) ? value : throw new Xunit.Sdk.XunitException($"no '{name}' in {element.GetRawText()}");

    private static bool TryMember(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
