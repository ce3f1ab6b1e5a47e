using System.Globalization;
using Fraud.Contracts;

namespace Fraud.Api.Apis;

/// <summary>The query parameters the lists share (anomalies, cases), read the same way with the same errors.</summary>
internal static class QueryParameters
{
    /// <summary>An ISO 8601 time (UTC when it has no offset); null when absent.</summary>
    public static DateTimeOffset? Time(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (query[name].ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors.Add(new FieldError(name, $"'{text}' is not an ISO 8601 time, e.g. 2026-01-31T00:00:00Z"));
        return null;
    }

    /// <summary><c>severity</c>: a comma list of severities; null when absent.</summary>
    public static List<Severity>? Severities(IQueryCollection query, List<FieldError> errors)
    {
        if (query["severity"].ToString() is not { Length: > 0 } text)
        {
            return null;
        }

        var severities = new List<Severity>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (WireNames.TryParse(name, out Severity severity))
            {
                severities.Add(severity);
            }
            else
            {
                errors.Add(new FieldError("severity", $"'{name}' is not one of {WireNames.SeverityList}"));
            }
        }

        return severities;
    }

    /// <summary><c>limit</c>: a whole number from 1 to <paramref name="max"/>; <paramref name="fallback"/> when absent.</summary>
    public static int Limit(IQueryCollection query, int max, List<FieldError> errors, int fallback = 50)
    {
        if (query["limit"].ToString() is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= max)
        {
            return limit;
        }

        errors.Add(new FieldError("limit", $"must be a whole number from 1 to {max}"));
        return fallback;
    }

    /// <summary><c>accountId</c>: an account id; null when absent.</summary>
    public static string? AccountId(IQueryCollection query, List<FieldError> errors)
    {
        var accountId = query["accountId"].ToString() is { Length: > 0 } account ? account : null;
        if (accountId is not null && TransactionRules.CheckId(accountId) is { } error)
        {
            errors.Add(new FieldError("accountId", error));
        }

        return accountId;
    }
}
