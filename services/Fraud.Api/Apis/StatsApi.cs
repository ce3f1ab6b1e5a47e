using System.Globalization;
using Fraud.Api.Extensions;
using Fraud.Api.OpenApi;
using Fraud.Contracts;
using Fraud.Contracts.Api;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Ledger;

namespace Fraud.Api.Apis;

/// <summary><c>GET /stats</c>: counts by severity and status, throughput and model versions over a window (default the last 24 h).</summary>
public static class StatsApi
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/stats", GetAsync)
            .WithTags("Statistics")
            .RequireAuthorization(ApiPolicies.Analyst)
            .WithSummary("Counts by severity and status, throughput and model versions of the transactions scored in [from, to), widened to whole minutes (default: the last 24 hours); the current rate and the model in use.")
            .WithDescription("from and to filter by scoring time (when the detector scored a transaction), not by the transaction's own timestamp as GET /anomalies does. "
                + "currentTransactionsPerSecond is the last complete minute's rate and modelVersion the model that scored the latest transactions, whatever the window.")
            .WithQuery(
                ("from", "ISO 8601 time, inclusive, on scoring time (default: 24 hours before to)."),
                ("to", "ISO 8601 time, exclusive, on scoring time (default: now)."))
            .Produces<StatsResponse>()
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<IResult> GetAsync(HttpContext http, ILedger ledger, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var to = Parse(http.Request.Query["to"].ToString(), "to", now, out var toError);
        var from = Parse(http.Request.Query["from"].ToString(), "from", to - TimeSpan.FromHours(24), out var fromError);
        var errors = new[] { toError, fromError }.Where(e => e is not null).Select(e => e!.Value).ToList();
        if (errors.Count == 0 && (from >= to || to - from > MaxWindow))
        {
            errors.Add(new("from", "must be before to, at most 366 days earlier"));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors, "Fix the query parameters listed in errors.");
        }

        var stats = await ledger.StatsAsync(from, to, http.RequestAborted).ConfigureAwait(false);
        var activity = await ledger.ActivityAsync(now, http.RequestAborted).ConfigureAwait(false);
        var response = new StatsResponse(
            stats.From,
            stats.To,
            stats.Transactions,
            stats.Anomalies,
            Math.Round(stats.Throughput, 3),
            stats.BySeverity.ToDictionary(p => WireNames.Name(p.Key), p => p.Value),
            stats.ByStatus.ToDictionary(p => WireNames.Name(p.Key), p => p.Value),
            stats.ByModelVersion,
            Math.Round(activity.TransactionsPerSecond, 3),
            activity.LatestModelVersion);
        return TypedResults.Json(response, FraudJsonContext.Default.StatsResponse);
    }

    private static DateTimeOffset Parse(string text, string name, DateTimeOffset fallback, out FieldError? error)
    {
        error = null;
        if (text.Length == 0)
        {
            return fallback;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            // Scoring times are in this range; beyond it the default window arithmetic would overflow.
            if (value >= Earliest && value <= Latest)
            {
                return value;
            }

            error = new(name, $"must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}");
            return fallback;
        }

        error = new(name, $"'{text}' is not an ISO 8601 time, e.g. 2026-01-31T00:00:00Z");
        return fallback;
    }
}
