using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Fraud.Api.Extensions;
using Fraud.Api.OpenApi;
using Fraud.Api.Reviews;
using Fraud.Api.Security;
using Fraud.Contracts;
using Fraud.Contracts.Api;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Apis;

/// <summary>
/// The analysts' anomalies: list (from the ledger, keyset-paginated), read one (the state store
/// first, the ledger after its TTL), and review with optimistic concurrency (ETag / If-Match). A
/// review that is a verdict becomes a label in the ledger and is published on <c>feedback</c>.
/// </summary>
public static class AnomaliesApi
{
    public const int MaxLimit = 500;
    public static IEndpointRouteBuilder MapAnomaliesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/anomalies").WithTags("Anomalies").RequireAuthorization(ApiPolicies.Analyst);
        group.MapGet("/", ListAsync)
            .WithSummary("Anomalies, newest transaction first; filters severity (comma list), status, accountId, from, to, minScore; limit and cursor page.")
            .WithDescription("from and to filter by the transaction's own timestamp (when the payment happened), not by scoring time as GET /stats does.")
            .WithQuery(
                ("severity", "Comma list of none, low, medium, high, critical."),
                ("status", "One of open, confirmed_fraud, false_positive, dismissed."),
                ("accountId", "Only this account's anomalies."),
                ("from", "ISO 8601 time, inclusive, on the transaction's timestamp."),
                ("to", "ISO 8601 time, exclusive, on the transaction's timestamp."),
                ("minScore", "Number from 0 to 1."),
                ("limit", $"Page size, 1 to {MaxLimit} (default 50)."),
                ("cursor", "nextCursor of the previous page."))
            .Produces<AnomalyListResponse>()
            .ProducesValidationProblem();
        group.MapGet("/{id}", GetAsync)
            .WithSummary("One anomaly with its review; the ETag header is what PATCH needs in If-Match.")
            .Produces<Anomaly>()
            .WithETag("200")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", ReviewAsync)
            .WithSummary("Reviews an anomaly: status confirmed_fraud, false_positive, dismissed or open, and a note (kept when left out). Requires If-Match.")
            .Accepts<ReviewRequest>("application/json")
            .WithIfMatch()
            .Produces<Anomaly>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithETag("200", "412");
        return endpoints;
    }

    public static IResult WithETag(HttpContext http, Anomaly anomaly)
    {
        http.Response.Headers.ETag = AnomalyETag.Of(anomaly);
        return TypedResults.Json(anomaly, FraudJsonContext.Default.Anomaly);
    }

    private static async Task<IResult> ListAsync(HttpContext http, ILedger ledger)
    {
        var (filter, errors) = ParseFilter(http.Request.Query);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors, "Fix the query parameters listed in errors.");
        }

        var page = await ledger.QueryAnomaliesAsync(filter!, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(new AnomalyListResponse(page.Items, page.NextCursor), FraudJsonContext.Default.AnomalyListResponse);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, IAnomalyState state, ILedger ledger)
    {
        if (Problems.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var anomaly = await state.GetAsync(id, http.RequestAborted).ConfigureAwait(false)
            ?? await ledger.GetAnomalyAsync(id, http.RequestAborted).ConfigureAwait(false);
        return anomaly is null ? NotFound(id) : WithETag(http, anomaly);
    }

    private static async Task<IResult> ReviewAsync(
        string id, HttpContext http, ILedger ledger, AnomalyReviewer reviews, ApiKeyStore keys, RequestBodyBudget budget)
    {
        if (Problems.InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return TypedResults.Problem("Send the ETag of the anomaly you reviewed in If-Match (GET it first), so a concurrent review is not overwritten.",
                statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required.");
        }

        using var body = await RequestBody.ReadJsonAsync(http, AnalystInput.MaxBodyBytes, budget).ConfigureAwait(false);
        if (body.Refusal is { } refusal)
        {
            return refusal;
        }

        if (!AnomalyETag.IsWellFormed(ifMatch))
        {
            return Problems.Validation("If-Match", $"'{ifMatch}' is not an ETag this API issued; GET /anomalies/{id} and send its ETag header as it is (quotes included)");
        }

        var (request, errors) = ParseReview(body.Span);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var caller = http.User.FindFirstValue(ClaimTypes.Name) ?? "unknown";
        if (request!.ReviewedBy is { } onBehalf && onBehalf != caller && !keys.IsOpen && !http.User.IsInRole(ApiRoles.Admin))
        {
            return Problems.Validation("reviewedBy", "only an admin key may record a review in someone else's name; leave it out to sign with this key's name");
        }

        var reviewer = request.ReviewedBy ?? caller;

        // PATCH semantics: a review without a note keeps the note already there.
        var note = request.Note ?? (await ledger.GetAnomalyAsync(id, http.RequestAborted).ConfigureAwait(false))?.Note;
        var result = await reviews.ReviewAsync(id, new Review(request.Status!.Value, reviewer, reviews.Now(), note), ifMatch, http.RequestAborted)
            .ConfigureAwait(false);
        switch (result.Outcome)
        {
            case ReviewOutcome.NotFound:
                return NotFound(id);
            case ReviewOutcome.Conflict:
                http.Response.Headers.ETag = AnomalyETag.Of(result.Anomaly!);
                return TypedResults.Problem("Someone reviewed this anomaly since you read it; GET it again and review the current state.",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "The anomaly has changed.");
        }

        var anomaly = result.Anomaly!;
        return WithETag(http, anomaly);
    }

    private static (ReviewRequest? Request, List<FieldError> Errors) ParseReview(ReadOnlySpan<byte> body)
    {
        var errors = new List<FieldError>();
        var request = AnalystInput.Read(body, FraudJsonContext.Default.ReviewRequest, errors, StatusField);
        if (request is null)
        {
            return (null, errors);
        }

        if (request.Status is null)
        {
            errors.Add(new FieldError("status", "is required: open, confirmed_fraud, false_positive or dismissed"));
        }

        AnalystInput.CheckNote(request.Note, "note", errors);
        AnalystInput.CheckName(request.ReviewedBy, "reviewedBy", errors);
        return (request, errors);
    }

    private static readonly Dictionary<string, string> StatusField = new(StringComparer.Ordinal)
    {
        ["status"] = $"must be one of {WireNames.StatusList}",
    };

    internal static (AnomalyFilter? Filter, List<FieldError> Errors) ParseFilter(IQueryCollection query)
    {
        var errors = new List<FieldError>();
        var severities = QueryParameters.Severities(query, errors);
        AnomalyStatus? status = null;
        if (query["status"].ToString() is { Length: > 0 } statusText)
        {
            if (WireNames.TryParse(statusText, out AnomalyStatus parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add(new FieldError("status", $"'{statusText}' is not one of {WireNames.StatusList}"));
            }
        }

        var from = QueryParameters.Time(query, "from", errors);
        var to = QueryParameters.Time(query, "to", errors);
        if (from is not null && to is not null && from >= to)
        {
            errors.Add(new FieldError("to", "must be after from"));
        }

        double? minScore = null;
        if (query["minScore"].ToString() is { Length: > 0 } scoreText)
        {
            if (double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && score is >= 0 and <= 1)
            {
                minScore = score;
            }
            else
            {
                errors.Add(new FieldError("minScore", "must be a number between 0 and 1"));
            }
        }

        var limit = QueryParameters.Limit(query, MaxLimit, errors);
        AnomalyCursor? cursor = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursorText && !AnomalyCursor.TryDecode(cursorText, out cursor))
        {
            errors.Add(new FieldError("cursor", "is not a cursor this API returned; pass nextCursor from the previous page"));
        }

        if (cursor is not null && TransactionRules.CheckId(cursor.TransactionId) is not null)
        {
            errors.Add(new FieldError("cursor", "is not a cursor this API returned; pass nextCursor from the previous page"));
        }

        var accountId = QueryParameters.AccountId(query, errors);
        return errors.Count > 0
            ? (null, errors)
            : (new AnomalyFilter(severities, status, accountId, from, to, minScore, limit, cursor), errors);
    }

    private static IResult NotFound(string id) =>
        TypedResults.Problem($"No anomaly '{id}': it never scored above the alert threshold, or is not in the ledger yet.",
            statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
