using Fraud.Api.Extensions;
using Fraud.Api.OpenApi;
using Fraud.Contracts;
using Fraud.Contracts.Api;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Scoring;
using Microsoft.Extensions.Options;
using Fraud.Runtime.Observability;

namespace Fraud.Api.Apis;

/// <summary>Ingest (<c>POST /transactions</c>), authorisation-time scoring (<c>POST /score</c>) and look-up of a scored transaction.</summary>
public static class TransactionsApi
{
    private static readonly ThrottledLog PublishFailureLog = new(TimeSpan.FromSeconds(10));
    private static readonly ThrottledLog LedgerCheckFailureLog = new(TimeSpan.FromSeconds(10));

    public static IEndpointRouteBuilder MapTransactionsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(string.Empty).WithTags("Transactions");
        group.MapPost("/transactions", IngestAsync)
            .RequireAuthorization(ApiPolicies.Ingest)
            .WithSummary("Publishes one transaction or an array of them for scoring.")
            .WithDescription("202 means every transaction is durable. Invalid input is refused whole (400) with every bad field named. "
                + "503 with Retry-After when saturated; resending is safe, transaction ids are idempotent.")
            .Accepts<Transaction[]>("application/json")
            .WithOneOrMany()
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost(ServiceRoutes.Score, ScoreAsync)
            .RequireAuthorization(ApiPolicies.Ingest)
            .WithSummary("Scores a transaction now, for an authorisation decision; nothing is recorded. A transaction already stored with the same content gets its stored score and reasons.")
            .Accepts<Transaction>("application/json")
            .Produces<ScoreResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/transactions/{id}", GetAsync)
            .RequireAuthorization(ApiPolicies.Analyst)
            .WithSummary("A scored transaction from the ledger (an anomaly also carries its review).")
            .Produces<ScoredTransaction>()
            .WithETag("200")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> IngestAsync(
        HttpContext http, ITransactionPublisher publisher, ILedger ledger, IOptions<ApiOptions> options, RequestBodyBudget budget, ILoggerFactory loggers)
    {
        using var body = await RequestBody.ReadJsonAsync(http, options.Value.MaxBodyBytes, budget).ConfigureAwait(false);
        if (body.Refusal is { } refusal)
        {
            return refusal;
        }

        var batch = TransactionJson.ParseBatch(body.Span, options.Value.MaxBatchSize);
        if (!batch.IsValid)
        {
            return Problems.Validation(batch.Errors);
        }

        var (unscored, conflicting) = await WithoutScoredAsync(batch.Transactions, ledger, loggers, http.RequestAborted).ConfigureAwait(false);
        try
        {
            var result = await publisher.PublishAsync(unscored, http.RequestAborted).ConfigureAwait(false);
            if (result.Failures.Count > 0)
            {
                return TypedResults.Problem(
                    $"{result.Failures.Count} of {batch.Transactions.Count} transactions could not be published; resend the batch (ids are idempotent).",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Some transactions were not accepted.",
                    extensions: new Dictionary<string, object?>
                    {
                        ["accepted"] = result.Accepted + batch.Transactions.Count - unscored.Count,
                        ["failed"] = result.Failures.Select(f => f.TransactionId).Take(100).ToArray(),
                    });
            }

            return TypedResults.Json(
                IngestResponse.For(result.Accepted + batch.Transactions.Count - unscored.Count, batch.Transactions, conflicting),
                FraudJsonContext.Default.IngestResponse,
                statusCode: StatusCodes.Status202Accepted);
        }
        catch (BackpressureException e)
        {
            return Problems.Unavailable(http, $"Saturated: {e.Message}. Resend the batch after the Retry-After delay.", e.RetryAfter);
        }
        catch (Exception e) when (e is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            // The runtime could not make the batch durable (a failed ledger commit, an unreachable sidecar):
            // nothing is acknowledged, and the producer should resend rather than read it as its own fault.
            if (PublishFailureLog.ShouldLog(out var suppressed))
            {
                loggers.CreateLogger(typeof(TransactionsApi)).LogError(
                    e, "Publishing {Count} transactions failed ({Suppressed} more failed publishes since the last one logged); the caller is told to resend", batch.Transactions.Count, suppressed);
            }

            return Problems.Unavailable(http,
                "The transactions could not be made durable, so none is acknowledged; resend the batch after the Retry-After delay (ids are idempotent).",
                TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// The transactions whose ids the ledger does not hold yet (the others are durable already and
    /// are not published again), and the ids it holds with other content. A resend of a transaction
    /// still on its way to the ledger is recognised by the detector instead. When the ledger does not
    /// answer, everything is published: ingest does not wait on it.
    /// </summary>
    private static async Task<(IReadOnlyList<Transaction> Unscored, IReadOnlyList<string> Conflicting)> WithoutScoredAsync(
        IReadOnlyList<Transaction> transactions, ILedger ledger, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        IReadOnlyList<ScoredTransaction> scored;
        try
        {
            var ids = new HashSet<string>(transactions.Count, StringComparer.Ordinal);
            foreach (var tx in transactions)
            {
                ids.Add(tx.TransactionId);
            }

            scored = await ledger.GetTransactionsAsync(ids, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (LedgerCheckFailureLog.ShouldLog(out var suppressed))
            {
                loggers.CreateLogger(typeof(TransactionsApi)).LogWarning(
                    e, "Could not check the ledger for resent ids ({Suppressed} more since the last one logged); publishing without the check", suppressed);
            }

            return (transactions, []);
        }

        if (scored.Count == 0)
        {
            return (transactions, []);
        }

        var byId = scored.ToDictionary(s => s.TransactionId, StringComparer.Ordinal);
        var unscored = new List<Transaction>(transactions.Count);
        var conflicting = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tx in transactions)
        {
            if (!byId.TryGetValue(tx.TransactionId, out var first))
            {
                unscored.Add(tx);
            }
            else if (!TransactionContent.Same(first, tx) && reported.Add(tx.TransactionId))
            {
                conflicting.Add(tx.TransactionId);
            }
        }

        if (conflicting.Count > 0)
        {
            RuntimeMetrics.ResendConflicts.Inc(conflicting.Count);
        }

        return (unscored, conflicting);
    }

    private static async Task<IResult> ScoreAsync(HttpContext http, IScoringClient scoring, IOptions<ApiOptions> options, RequestBodyBudget budget)
    {
        using var body = await RequestBody.ReadJsonAsync(http, options.Value.MaxBodyBytes, budget).ConfigureAwait(false);
        if (body.Refusal is { } refusal)
        {
            return refusal;
        }

        var errors = new List<FieldError>();
        var transaction = TransactionJson.ParseOne(body.Span, errors);
        if (transaction is null)
        {
            return Problems.Validation(errors);
        }

        try
        {
            var response = await scoring.ScoreAsync(transaction, http.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(response, FraudJsonContext.Default.ScoreResponse);
        }
        catch (Exception e) when (e is ScoringUnavailableException or HttpRequestException)
        {
            return Problems.Unavailable(http, $"The detector did not answer: {e.Message}", TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<IResult> GetAsync(string id, ILedger ledger, HttpContext http)
    {
        if (Problems.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var stored = await ledger.GetTransactionAsync(id, http.RequestAborted).ConfigureAwait(false);
        return stored switch
        {
            null => TypedResults.Problem($"No scored transaction '{id}' in the ledger.", statusCode: StatusCodes.Status404NotFound, title: "Not found."),
            Anomaly anomaly => AnomaliesApi.WithETag(http, anomaly),
            _ => TypedResults.Json(stored, FraudJsonContext.Default.ScoredTransaction),
        };
    }
}
