using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Fraud.Contracts;
using Fraud.Detector.Detection;
using Fraud.Detector.Observability;
using Fraud.Detector.Scoring;
using Fraud.Detector.Subscriptions;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Scoring;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Extensions;

/// <summary>The detector's HTTP surface: Dapr subscriptions (discovered at <c>GET /dapr/subscribe</c>) and <c>POST /score</c>.</summary>
public static class DetectorEndpoints
{
    public static IEndpointRouteBuilder MapDetectorSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<DetectorOptions>>().Value;
        endpoints.MapSubscribeHandler();
        // No deadLetterTopic: with one, daprd bulk-publishes every entry that failed (RETRY, or a timed-out
        // delivery) to it after the resiliency retries and acknowledges the batch (dapr
        // pkg/runtime/subscription/bulksubscription.go, bulkSubscribeTopic -> sendBulkToDLQIfConfigured),
        // and also copies entries answered DROP (postman/http/http.go). Without one, a failure goes back to
        // the Kafka component, which leaves the offset uncommitted and redelivers, so an outage shows as
        // lag. Malformed entries are dead-lettered once, by TransactionDeliveries, in the DeadLetter shape.
        endpoints.MapPost(DetectorNames.TransactionsSubscription, HandleTransactionsAsync)
            .WithTopic(DaprNames.PubSub, DaprNames.TransactionsTopic)
            .WithBulkSubscribe(new BulkSubscribeTopicOptions
            {
                TopicName = DaprNames.TransactionsTopic,
                MaxMessagesCount = options.BulkMaxMessages,
                MaxAwaitDurationMs = options.BulkMaxAwaitMilliseconds,
            })
            .ExcludeFromDescription();
        endpoints.MapPost(DetectorNames.FeedbackSubscription, HandleFeedbackAsync)
            .WithTopic(DaprNames.PubSub, DaprNames.FeedbackTopic)
            .ExcludeFromDescription();
        return endpoints;
    }

    public static IEndpointRouteBuilder MapDetectorScoring(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ServiceRoutes.Score, ScoreAsync)
            .WithName("ScoreInDetector")
            .WithSummary("Scores a transaction for an authorisation-time check, without recording it.")
            .Accepts<Transaction>("application/json")
            .Produces<ScoreResponse>()
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<IResult> HandleTransactionsAsync(HttpContext http, TransactionDeliveries deliveries, DeliveryGate gate)
    {
        // Counted in flight before looking at the drain flag: a drain that starts meanwhile either
        // sees this delivery and waits for it, or is seen here.
        using var _ = gate.Enter();
        if (gate.Draining)
        {
            // Any non-2xx makes Dapr retry the whole delivery, on another replica once this one is gone.
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        using var body = await ReadJsonAsync(http).ConfigureAwait(false);
        if (body is null)
        {
            return Results.BadRequest();
        }

        var (entries, bulk) = TransactionDeliveries.ReadBody(body.RootElement);
        var statuses = await deliveries.HandleAsync(entries, http.RequestAborted).ConfigureAwait(false);
        return bulk
            ? Results.Json(new BulkResponse(statuses), DeliveryJsonContext.Default.BulkResponse)
            : Results.Json(new DeliveryResponse(statuses[0].Status), DeliveryJsonContext.Default.DeliveryResponse);
    }

    private static async Task<IResult> HandleFeedbackAsync(HttpContext http, IEventHandler<Verdict> verdicts, DeadLetterSender deadLetters, ILoggerFactory loggers)
    {
        using var body = await ReadJsonAsync(http).ConfigureAwait(false);
        var errors = new List<FieldError>();
        Verdict? verdict = null;
        if (body is not null && EventPayload.Extract(body.RootElement, errors) is { } payload)
        {
            try
            {
                verdict = JsonSerializer.Deserialize(payload, FraudJsonContext.Default.Verdict);
            }
            catch (JsonException e)
            {
                errors.Add(new FieldError(e.Path ?? "$", e.Message));
            }
        }

        if (verdict is null)
        {
            var status = await deadLetters.SendAsync(DaprNames.FeedbackTopic, null, body?.RootElement ?? default, errors, http.RequestAborted)
                .ConfigureAwait(false);
            return Results.Json(new DeliveryResponse(status), DeliveryJsonContext.Default.DeliveryResponse);
        }

        try
        {
            await verdicts.HandleAsync([verdict], http.RequestAborted).ConfigureAwait(false);
            return Results.Json(new DeliveryResponse(DeliveryStatus.Success), DeliveryJsonContext.Default.DeliveryResponse);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            loggers.CreateLogger(typeof(DetectorEndpoints)).LogWarning(e, "Verdict on {Transaction} failed; Dapr will retry it", verdict.TransactionId);
            return Results.Json(new DeliveryResponse(DeliveryStatus.Retry), DeliveryJsonContext.Default.DeliveryResponse);
        }
    }

    private static async Task<IResult> ScoreAsync(HttpContext http, InProcessScoringClient scoring)
    {
        var errors = new List<FieldError>();
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        var transaction = TransactionJson.ParseOne(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), errors);
        if (transaction is null)
        {
            return Problems.Validation(errors);
        }

        var response = await scoring.ScoreAsync(transaction, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(response, FraudJsonContext.Default.ScoreResponse);
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext http)
    {
        try
        {
            return await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
