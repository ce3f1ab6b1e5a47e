using System.Globalization;
using System.Security.Claims;
using Fraud.Api.Cases;
using Fraud.Api.Extensions;
using Fraud.Api.OpenApi;
using Fraud.Contracts;
using Fraud.Contracts.Api;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Ledger;

namespace Fraud.Api.Apis;

/// <summary>
/// Cases: the queue (from the ledger, in deadline order), one case with its alerts and history, the
/// account's timeline, and the analysts' actions (assign, note, verdict, and the same in bulk), each
/// run by the account's case owner. Actions take an optional If-Match with the case's ETag.
/// </summary>
public static class CasesApi
{
    public const int MaxLimit = 500;
    public const int MaxBulk = 100;
    public const int MaxTimeline = 1_000;

    /// <summary>The timeline's default reach before the case's first alert: the account's normal, to compare with.</summary>
    public static readonly TimeSpan TimelineBefore = TimeSpan.FromDays(7);

    private static readonly Dictionary<string, string> EnumFields = new(StringComparer.Ordinal)
    {
        ["status"] = $"must be one of {WireNames.StatusList}",
    };

    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/cases").WithTags("Cases").RequireAuthorization(ApiPolicies.Analyst);
        group.MapGet("/", ListAsync)
            .WithSummary("The case queue: earliest deadline first, then highest score; filters status, severity, assignedTo, unassigned, accountId; limit and cursor page.")
            .WithQuery(
                ("status", $"One of {WireNames.CaseStatusList}."),
                ("severity", "Comma list of none, low, medium, high, critical (the case's highest)."),
                ("assignedTo", "Only the cases assigned to this name."),
                ("unassigned", "true: only the cases nobody is assigned to."),
                ("accountId", "Only this account's cases."),
                ("limit", $"Page size, 1 to {MaxLimit} (default 50)."),
                ("cursor", "nextCursor of the previous page."))
            .Produces<CaseListResponse>()
            .ProducesValidationProblem();
        group.MapGet("/{id}", GetAsync)
            .WithSummary("One case: the case, its alerts (newest first, at most 500) and its history (oldest first, alert reviews included).")
            .Produces<CaseDetail>()
            .WithETag("200")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/timeline", TimelineAsync)
            .WithSummary("The case's account: its scored transactions, flagged or not, newest first.")
            .WithDescription("from and to are on the transaction's timestamp; by default from 7 days before the case's first alert to just after its latest.")
            .WithQuery(
                ("from", "ISO 8601 time, inclusive."),
                ("to", "ISO 8601 time, exclusive."),
                ("limit", $"At most this many transactions, 1 to {MaxTimeline} (default 200)."))
            .Produces<CaseTimeline>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        Action(group.MapPost("/{id}/assign", AssignAsync), "Assigns the case to an analyst (assignee), or unassigns it (assignee null).", typeof(AssignRequest));
        Action(group.MapPost("/{id}/notes", NoteAsync), "Adds a note to the case's history.", typeof(CaseNoteRequest));
        Action(group.MapPost("/{id}/verdict", VerdictAsync),
            "The case's verdict (confirmed_fraud, false_positive or dismissed): each of its alerts still open is reviewed with it, then the case closes. Alerts reviewed alone keep their review.",
            typeof(CaseVerdictRequest));
        group.MapPost("/bulk", BulkAsync)
            .WithSummary($"One action on up to {MaxBulk} cases: assign (assignee) or verdict (status, note). Each case answers for itself in results.")
            .Accepts<BulkCaseRequest>("application/json")
            .Produces<BulkCaseResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static void Action(RouteHandlerBuilder endpoint, string summary, Type body) =>
        endpoint.WithSummary(summary)
            .Accepts(body, "application/json")
            .WithIfMatch(required: false, description: "The case's ETag as you read it (GET /cases/{id}): the action applies only if nobody changed the case since.")
            .Produces<CaseActionResponse>()
            .WithETag("200")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static string ETagOf(Case c) => string.Create(CultureInfo.InvariantCulture, $"\"{c.Version}\"");

    private static async Task<IResult> ListAsync(HttpContext http, ICaseLedger cases)
    {
        var (filter, errors) = ParseFilter(http.Request.Query);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors, "Fix the query parameters listed in errors.");
        }

        var page = await cases.QueryCasesAsync(filter!, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(new CaseListResponse(page.Items, page.NextCursor), FraudJsonContext.Default.CaseListResponse);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, ICaseLedger cases)
    {
        if (CheckId(id) is { } invalid)
        {
            return invalid;
        }

        var found = await cases.GetCaseAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (found is null)
        {
            return NotFound(id);
        }

        var alerts = await cases.CaseAlertsAsync(id, 500, http.RequestAborted).ConfigureAwait(false);
        var history = await cases.CaseHistoryAsync(id, http.RequestAborted).ConfigureAwait(false);
        http.Response.Headers.ETag = ETagOf(found);
        return TypedResults.Json(new CaseDetail(found, alerts, history), FraudJsonContext.Default.CaseDetail);
    }

    private static async Task<IResult> TimelineAsync(string id, HttpContext http, ICaseLedger cases)
    {
        if (CheckId(id) is { } invalid)
        {
            return invalid;
        }

        var errors = new List<FieldError>();
        var query = http.Request.Query;
        var from = QueryParameters.Time(query, "from", errors);
        var to = QueryParameters.Time(query, "to", errors);
        var limit = QueryParameters.Limit(query, MaxTimeline, errors, fallback: 200);

        if (errors.Count > 0)
        {
            return Problems.Validation(errors, "Fix the query parameters listed in errors.");
        }

        var found = await cases.GetCaseAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (found is null)
        {
            return NotFound(id);
        }

        var start = from ?? found.FirstAlertAt - TimelineBefore;
        var end = to ?? found.LastAlertAt.AddTicks(1);
        if (start >= end)
        {
            return Problems.Validation("to", "must be after from");
        }

        var rows = await cases.AccountTransactionsAsync(found.AccountId, start, end, limit + 1, http.RequestAborted).ConfigureAwait(false);
        var truncated = rows.Count > limit;
        var entries = rows.Take(limit).Select(r => new TimelineEntry(r, r is Anomaly, (r as Anomaly)?.Status)).ToList();
        return TypedResults.Json(
            new CaseTimeline(found.AccountId, start, end, entries, truncated),
            FraudJsonContext.Default.CaseTimeline);
    }

    private static Task<IResult> AssignAsync(string id, HttpContext http, ICaseLedger cases, ICaseOwner owners, RequestBodyBudget budget) =>
        ActAsync(id, http, cases, owners, budget, (body, by, errors) =>
        {
            var request = AnalystInput.Read(body, FraudJsonContext.Default.AssignRequest, errors);
            AnalystInput.CheckName(request?.Assignee, "assignee", errors);
            return request is null ? null : new CaseCommand(CaseCommandKind.Assign, by, id, Assignee: request.Assignee);
        });

    private static Task<IResult> NoteAsync(string id, HttpContext http, ICaseLedger cases, ICaseOwner owners, RequestBodyBudget budget) =>
        ActAsync(id, http, cases, owners, budget, (body, by, errors) =>
        {
            var request = AnalystInput.Read(body, FraudJsonContext.Default.CaseNoteRequest, errors);
            if (request is not null && string.IsNullOrWhiteSpace(request.Note))
            {
                errors.Add(new FieldError("note", "is required: the text to add to the case's history"));
            }

            AnalystInput.CheckNote(request?.Note, "note", errors);
            return request is null ? null : new CaseCommand(CaseCommandKind.Note, by, id, Note: request.Note);
        });

    private static Task<IResult> VerdictAsync(string id, HttpContext http, ICaseLedger cases, ICaseOwner owners, RequestBodyBudget budget) =>
        ActAsync(id, http, cases, owners, budget, (body, by, errors) =>
        {
            var request = AnalystInput.Read(body, FraudJsonContext.Default.CaseVerdictRequest, errors, EnumFields);
            CheckVerdict(request?.Status, request is not null, errors);
            AnalystInput.CheckNote(request?.Note, "note", errors);
            return request is null ? null : new CaseCommand(CaseCommandKind.Close, by, id, Verdict: request.Status, Note: request.Note);
        });

    private static void CheckVerdict(AnomalyStatus? status, bool read, List<FieldError> errors)
    {
        if (read && status is null or AnomalyStatus.Open)
        {
            errors.Add(new FieldError("status", "is required: confirmed_fraud, false_positive or dismissed (a verdict closes the case)"));
        }
    }

    /// <summary>One action on one case: reads and checks the body, finds the case's account, runs the command by its owner, answers.</summary>
    private static async Task<IResult> ActAsync(
        string id, HttpContext http, ICaseLedger cases, ICaseOwner owners, RequestBodyBudget budget, Func<ReadOnlySpan<byte>, string, List<FieldError>, CaseCommand?> parse)
    {
        if (CheckId(id) is { } invalid)
        {
            return invalid;
        }

        using var body = await RequestBody.ReadJsonAsync(http, AnalystInput.MaxBodyBytes, budget).ConfigureAwait(false);
        if (body.Refusal is { } refusal)
        {
            return refusal;
        }

        long? ifVersion = null;
        if (http.Request.Headers.IfMatch.ToString() is { Length: > 0 } ifMatch)
        {
            if (!TryParseETag(ifMatch, out var version))
            {
                return Problems.Validation("If-Match", $"'{ifMatch}' is not an ETag this API issued; GET /cases/{id} and send its ETag header as it is (quotes included)");
            }

            ifVersion = version;
        }

        var errors = new List<FieldError>();
        var command = parse(body.Span, Caller(http), errors);
        if (errors.Count > 0 || command is null)
        {
            return Problems.Validation(errors);
        }

        var found = await cases.GetCaseAsync(id, http.RequestAborted).ConfigureAwait(false);
        if (found is null)
        {
            return NotFound(id);
        }

        var outcome = await RunAsync(owners, found, command with { IfVersion = ifVersion }, http.RequestAborted).ConfigureAwait(false);
        switch (outcome?.Kind)
        {
            case null:
                return Problems.Unavailable(http,
                    "The case's owner did not answer (under Dapr: the sidecar, or the replica hosting the case actor). Nothing changed unless GET shows it; try again.",
                    TimeSpan.FromSeconds(1));
            case CaseOutcomeKind.NotFound:
                return NotFound(id);
            case CaseOutcomeKind.Closed:
                return TypedResults.Problem($"Case '{id}' is closed ({WireNames.Name(outcome.Case!.Verdict!.Value)}); it takes notes only. Review its alerts one by one to change them.",
                    statusCode: StatusCodes.Status409Conflict, title: "The case is closed.");
            case CaseOutcomeKind.Conflict:
                http.Response.Headers.ETag = ETagOf(outcome.Case!);
                return TypedResults.Problem("Someone changed this case since you read it; GET it again and act on the current state.",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "The case has changed.");
        }

        http.Response.Headers.ETag = ETagOf(outcome.Case!);
        return TypedResults.Json(new CaseActionResponse(outcome.Case!, outcome.AlertsReviewed), FraudJsonContext.Default.CaseActionResponse);
    }

    private static async Task<IResult> BulkAsync(HttpContext http, ICaseLedger cases, ICaseOwner owners, RequestBodyBudget budget)
    {
        using var body = await RequestBody.ReadJsonAsync(http, AnalystInput.MaxBodyBytes, budget).ConfigureAwait(false);
        if (body.Refusal is { } refusal)
        {
            return refusal;
        }

        var errors = new List<FieldError>();
        var request = AnalystInput.Read(body.Span, FraudJsonContext.Default.BulkCaseRequest, errors, EnumFields);
        if (request is not null)
        {
            if (request.CaseIds is not { Count: > 0 and <= MaxBulk } ids)
            {
                errors.Add(new FieldError("caseIds", $"must list 1 to {MaxBulk} case ids"));
            }
            else
            {
                for (var i = 0; i < ids.Count; i++)
                {
                    if ((ids[i] is null ? "must be a case id" : CaseIds.Check(ids[i])) is { } error)
                    {
                        errors.Add(new FieldError($"caseIds[{i}]", error));
                    }
                }
            }

            switch (request.Action)
            {
                case "assign":
                    AnalystInput.CheckName(request.Assignee, "assignee", errors);
                    break;
                case "verdict":
                    CheckVerdict(request.Status, true, errors);
                    AnalystInput.CheckNote(request.Note, "note", errors);
                    break;
                default:
                    errors.Add(new FieldError("action", "must be assign or verdict"));
                    break;
            }
        }

        if (errors.Count > 0 || request is null)
        {
            return Problems.Validation(errors);
        }

        var by = Caller(http);
        var results = new List<BulkCaseResult>();
        foreach (var id in request.CaseIds!.Distinct(StringComparer.Ordinal))
        {
            var found = await cases.GetCaseAsync(id, http.RequestAborted).ConfigureAwait(false);
            if (found is null)
            {
                results.Add(new BulkCaseResult(id, "not_found", "no such case", null, 0));
                continue;
            }

            var command = request.Action == "assign"
                ? new CaseCommand(CaseCommandKind.Assign, by, id, Assignee: request.Assignee)
                : new CaseCommand(CaseCommandKind.Close, by, id, Verdict: request.Status, Note: request.Note);
            var outcome = await RunAsync(owners, found, command, http.RequestAborted).ConfigureAwait(false);
            results.Add(outcome?.Kind switch
            {
                null => new BulkCaseResult(id, "unavailable", "the case owner did not answer; try this case again", found, 0),
                CaseOutcomeKind.Closed => new BulkCaseResult(id, "closed", "the case is closed", outcome.Case, 0),
                CaseOutcomeKind.NotFound => new BulkCaseResult(id, "not_found", "no such case", null, 0),
                CaseOutcomeKind.Conflict => new BulkCaseResult(id, "conflict", "the case changed meanwhile; try this case again", outcome.Case, 0),
                _ => new BulkCaseResult(id, "done", null, outcome.Case, outcome.AlertsReviewed),
            });
        }

        return TypedResults.Json(new BulkCaseResponse(results), FraudJsonContext.Default.BulkCaseResponse);
    }

    /// <summary>The command's outcome, or null when the case owner could not be reached (under Dapr: the sidecar or the actor's host).</summary>
    private static async Task<CaseOutcome?> RunAsync(ICaseOwner owners, Case found, CaseCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await owners.ExecuteAsync(found.AccountId, command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not ArgumentException)
        {
            return null;
        }
    }

    internal static (CaseFilter? Filter, List<FieldError> Errors) ParseFilter(IQueryCollection query)
    {
        var errors = new List<FieldError>();
        CaseStatus? status = null;
        if (query["status"].ToString() is { Length: > 0 } statusText)
        {
            if (WireNames.TryParse(statusText, out CaseStatus parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add(new FieldError("status", $"'{statusText}' is not one of {WireNames.CaseStatusList}"));
            }
        }

        var severities = QueryParameters.Severities(query, errors);
        var assignedTo = query["assignedTo"].ToString() is { Length: > 0 } assignee ? assignee : null;
        AnalystInput.CheckName(assignedTo, "assignedTo", errors);
        var unassigned = false;
        if (query["unassigned"].ToString() is { Length: > 0 } unassignedText && !bool.TryParse(unassignedText, out unassigned))
        {
            errors.Add(new FieldError("unassigned", "must be true or false"));
        }

        if (unassigned && assignedTo is not null)
        {
            errors.Add(new FieldError("unassigned", "cannot be combined with assignedTo"));
        }

        var accountId = QueryParameters.AccountId(query, errors);
        var limit = QueryParameters.Limit(query, MaxLimit, errors);
        CaseCursor? cursor = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursorText && !CaseCursor.TryDecode(cursorText, out cursor))
        {
            errors.Add(new FieldError("cursor", "is not a cursor this API returned; pass nextCursor from the previous page"));
        }

        return errors.Count > 0
            ? (null, errors)
            : (new CaseFilter(status, severities, assignedTo, unassigned, accountId, limit, cursor), errors);
    }

    private static bool TryParseETag(string text, out long version)
    {
        version = 0;
        return text.Length > 2 && text[0] == '"' && text[^1] == '"'
            && long.TryParse(text.AsSpan(1, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
    }

    private static string Caller(HttpContext http) => http.User.FindFirstValue(ClaimTypes.Name) ?? "unknown";

    private static IResult? CheckId(string id) => CaseIds.Check(id) is { } error ? Problems.Validation("id", error) : null;

    private static IResult NotFound(string id) =>
        TypedResults.Problem($"No case '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
