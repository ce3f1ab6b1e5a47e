using System.Text.Json;
using Fraud.Contracts;
using Fraud.Detector.Observability;
using Fraud.Runtime;
using Fraud.Runtime.Messaging;

namespace Fraud.Detector.Subscriptions;

/// <summary>
/// Puts a malformed message, once, on its topic's dead-letter topic in the <see cref="DeadLetter"/>
/// shape, and says how to answer Dapr: DROP once the letter is stored, RETRY if it could not be,
/// so that nothing is lost.
/// </summary>
public sealed class DeadLetterSender(IEventPublisher events, TimeProvider time, ILogger<DeadLetterSender> logger)
{
    /// <param name="delivered">The entry as delivered; <c>default</c> when the body was not JSON.</param>
    public async Task<string> SendAsync(string topic, string? entryId, JsonElement delivered, List<FieldError> errors, CancellationToken cancellationToken)
    {
        var letter = new DeadLetter(topic, entryId, EventPayload.ForDeadLetter(delivered), errors, time.GetUtcNow());
        try
        {
            await events.PublishDeadLetterAsync(letter, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not dead-letter a malformed message of {Topic} (entry {EntryId}); asking Dapr to retry it", topic, entryId);
            return DeliveryStatus.Retry;
        }

        DetectorMetrics.DeadLetters.WithLabels(DaprNames.DeadLetterTopicOf(topic)).Inc();
        logger.LogWarning("Malformed message of {Topic} (entry {EntryId}) dead-lettered: {Errors}", topic, entryId,
            string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
        return DeliveryStatus.Drop;
    }
}
