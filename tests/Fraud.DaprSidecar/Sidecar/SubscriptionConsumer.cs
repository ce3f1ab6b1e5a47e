using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.DaprSidecar.PubSub;

namespace Fraud.DaprSidecar.Sidecar;

/// <summary>
/// One subscription of one sidecar: a member of the consumer group that delivers each partition
/// it owns to the app, in order, and commits a batch's offsets only once the whole batch was
/// answered SUCCESS or DROP.
/// <list type="bullet">
/// <item>Batching: up to <c>maxMessagesCount</c>, or what arrived within <c>maxAwaitDurationMs</c>
/// (components-contrib common/component/kafka/consumer.go, bulk <c>ConsumeClaim</c>).</item>
/// <item>Resiliency: the inbound retry policy re-sends only the entries that failed (dapr
/// pkg/runtime/subscription/bulkresiliency.go, <c>applyBulkSubscribeResiliency</c>).</item>
/// <item>With no <c>deadLetterTopic</c> a batch that still failed goes back to the Kafka component
/// (bulksubscription.go, <c>bulkSubscribeTopic</c>), which redelivers the whole batch every
/// <c>consumeRetryInterval</c> and marks no offset past the first failure (consumer.go,
/// <c>flushBulkMessages</c>, <c>doBulkCallback</c>): the partition waits, lag grows.</item>
/// <item>A rebalance cancels the session: what was in flight is not committed and the new owner
/// reads it again from the committed offset.</item>
/// </list>
/// </summary>
internal sealed class SubscriptionConsumer(TestSidecar sidecar, Subscription subscription, ConsumerGroup group)
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public void Start()
    {
        group.Join(this);
        _run = Task.Run(RunAsync);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        group.Leave(this);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var rebalanced = group.Rebalanced;
            var (partitions, generation) = group.Assignment(this);
            using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var claims = partitions.Select(p => Task.Run(() => ConsumeClaimAsync(p, generation, session.Token))).ToArray();
            await Task.WhenAny(rebalanced, Task.Delay(Timeout.Infinite, _stop.Token)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await session.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(claims).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task ConsumeClaimAsync(int partition, int generation, CancellationToken session)
    {
        var topic = group.Topic;
        var offset = group.Committed(partition);
        var max = subscription.Bulk ? subscription.MaxMessages : 1;
        while (!session.IsCancellationRequested)
        {
            var (messages, appended) = topic.Read(partition, offset, max);
            if (messages.Count == 0)
            {
                await appended.WaitAsync(session).ConfigureAwait(false);
                continue;
            }

            if (subscription.Bulk && messages.Count < max)
            {
                // Fill the batch until it is full or the await duration from its first message passed.
                var flushAt = DateTime.UtcNow + subscription.MaxAwait;
                while (messages.Count < max && DateTime.UtcNow < flushAt)
                {
                    var wait = flushAt - DateTime.UtcNow;
                    await Task.WhenAny(appended, Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, session)).ConfigureAwait(false);
                    session.ThrowIfCancellationRequested();
                    (messages, appended) = topic.Read(partition, offset, max);
                }
            }

            while (!await DeliverWithResiliencyAsync(messages, session).ConfigureAwait(false))
            {
                await Task.Delay(sidecar.Cluster.Settings.ConsumeRetryInterval, session).ConfigureAwait(false);
            }

            if (!group.Commit(partition, offset + messages.Count, generation))
            {
                return; // the partition moved meanwhile
            }

            offset += messages.Count;
        }
    }

    /// <summary>True when every message was answered SUCCESS or DROP within the retry policy.</summary>
    private async Task<bool> DeliverWithResiliencyAsync(IReadOnlyList<Message> messages, CancellationToken session)
    {
        var policy = sidecar.Cluster.Settings.DeliveryRetry;
        IReadOnlyList<Message> pending = messages;
        for (var retry = 0; ; retry++)
        {
            if (retry > 0)
            {
                if (!policy.Allows(retry))
                {
                    return false;
                }

                await Task.Delay(policy.Delay(retry), session).ConfigureAwait(false);
            }

            pending = subscription.Bulk
                ? await DeliverBulkAsync(pending, session).ConfigureAwait(false)
                : await DeliverOneAsync(pending[0], session).ConfigureAwait(false) ? [] : pending;
            if (pending.Count == 0)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// dapr pkg/runtime/subscription/postman/http/http.go <c>DeliverBulk</c>, with the envelope of
    /// pkg/runtime/pubsub/bulksubscribe_events.go; returns the messages that failed. A 404 counts as
    /// success for every entry, other statuses and transport errors fail them all, an entry the app
    /// did not answer or answered RETRY (or anything else but SUCCESS and DROP) fails.
    /// </summary>
    private async Task<IReadOnlyList<Message>> DeliverBulkAsync(IReadOnlyList<Message> messages, CancellationToken session)
    {
        var entries = new JsonArray();
        var failed = new List<Message>();
        var byEntry = new Dictionary<string, Message>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            JsonNode? cloudEvent;
            try
            {
                cloudEvent = JsonNode.Parse(message.Value);
            }
            catch (JsonException)
            {
                failed.Add(message); // bulkSubscribeTopic: an event that does not parse is that entry's error
                continue;
            }

            var entryId = i.ToString(CultureInfo.InvariantCulture);
            byEntry[entryId] = message;
            entries.Add(new JsonObject
            {
                ["entryId"] = entryId,
                ["event"] = cloudEvent,
                ["contentType"] = message.ContentType,
                ["metadata"] = Metadata(message),
            });
        }

        if (entries.Count == 0)
        {
            return failed;
        }

        var envelope = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["type"] = "com.dapr.event.sent.bulk",
            ["topic"] = subscription.Topic,
            ["pubsubname"] = subscription.PubSub,
            ["metadata"] = new JsonObject { ["pubsubName"] = subscription.PubSub },
            ["entries"] = entries,
        };
        using var content = new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json");
        content.Headers.TryAddWithoutValidation("pubsubName", subscription.PubSub);
        try
        {
            using var response = await sidecar.SendToAppAsync(HttpMethod.Post, subscription.Route, content, "app:deliver", session).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return failed;
            }

            if (!response.IsSuccessStatusCode)
            {
                return messages;
            }

            var answered = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(session).ConfigureAwait(false));
                foreach (var status in body?["statuses"]?.AsArray() ?? [])
                {
                    var entryId = status?["entryId"]?.GetValue<string>();
                    if (entryId is not null && byEntry.ContainsKey(entryId) && status!["status"]?.GetValue<string>() is "SUCCESS" or "DROP")
                    {
                        answered.Add(entryId);
                    }
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return messages;
            }

            failed.AddRange(byEntry.Where(e => !answered.Contains(e.Key)).Select(e => e.Value));
            return failed.OrderBy(m => m.Offset).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !session.IsCancellationRequested)
        {
            return messages;
        }
    }

    /// <summary>
    /// http.go <c>Deliver</c>: the CloudEvent as it was published, its metadata as headers. 2xx with
    /// no or an unreadable body, SUCCESS or DROP, and 404, are done; RETRY, unknown statuses and
    /// other codes fail.
    /// </summary>
    private async Task<bool> DeliverOneAsync(Message message, CancellationToken session)
    {
        using var content = new ByteArrayContent(message.Value);
        content.Headers.TryAddWithoutValidation("Content-Type", message.ContentType);
        foreach (var (name, value) in Metadata(message))
        {
            content.Headers.TryAddWithoutValidation(name, value!.GetValue<string>());
        }

        try
        {
            using var response = await sidecar.SendToAppAsync(HttpMethod.Post, subscription.Route, content, "app:deliver", session).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }

            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            try
            {
                var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(session).ConfigureAwait(false))?["status"]?.GetValue<string>();
                return status is null or "" or "SUCCESS" or "DROP";
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !session.IsCancellationRequested)
        {
            return false;
        }
    }

    // consumer.go GetEventMetadata: the Kafka record's key, offset, topic and partition.
    private JsonObject Metadata(Message message)
    {
        var metadata = new JsonObject
        {
            ["__offset"] = message.Offset.ToString(CultureInfo.InvariantCulture),
            ["__topic"] = message.Topic,
            ["__partition"] = message.Partition.ToString(CultureInfo.InvariantCulture),
            ["pubsubName"] = subscription.PubSub,
        };
        if (message.Key is not null)
        {
            metadata["__key"] = message.Key;
        }

        return metadata;
    }
}
