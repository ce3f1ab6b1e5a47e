using Fraud.Contracts;
using Microsoft.AspNetCore.Http;

namespace Fraud.Runtime.Hosting;

/// <summary>HTTP problem details (RFC 9457) for the services' error answers.</summary>
public static class Problems
{
    /// <summary>400 with an <c>errors</c> member mapping each bad field's path to what is wrong with it.</summary>
    public static IResult Validation(IReadOnlyList<FieldError> errors, string detail = "Fix the fields listed in errors and send the request again; nothing of it was accepted.")
    {
        var byPath = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var group in errors.GroupBy(e => e.Path, StringComparer.Ordinal))
        {
            byPath[group.Key] = [.. group.Select(e => e.Message)];
        }

        return TypedResults.ValidationProblem(byPath, detail: detail, title: "The request has invalid fields.");
    }

    public static IResult Validation(string path, string message) => Validation([new FieldError(path, message)]);

    /// <summary>400 naming <c>id</c> when a transaction id in a path is outside the ids' alphabet (none such can exist); else null.</summary>
    public static IResult? InvalidId(string id) =>
        TransactionRules.CheckId(id) is { } problem ? Validation("id", problem) : null;

    /// <summary>503 with Retry-After: the caller should send the same request again later.</summary>
    public static IResult Unavailable(HttpContext context, string detail, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again shortly.");
    }
}
