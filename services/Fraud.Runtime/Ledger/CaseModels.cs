using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>An anomaly waiting for its case: enough to file it without reading the whole row.</summary>
public sealed record UncasedAlert(string TransactionId, string AccountId, DateTimeOffset Timestamp, double Score, Severity Severity);

/// <summary>A change to one case: the case as it becomes, the version it was read at (0: new), what happened, and the alerts it takes in.</summary>
public sealed record CaseChange(Case Case, long ExpectedVersion, IReadOnlyList<CaseEvent> Events, IReadOnlyList<string> FileAlerts);

/// <summary>
/// Filters of <see cref="ICaseLedger.QueryCasesAsync"/>, combined with "and". <paramref name="Unassigned"/>
/// keeps the cases nobody works; <paramref name="After"/> is the previous page's cursor.
/// </summary>
public sealed record CaseFilter(
    CaseStatus? Status = null,
    IReadOnlyList<Severity>? Severities = null,
    string? AssignedTo = null,
    bool Unassigned = false,
    string? AccountId = null,
    int Limit = 50,
    CaseCursor? After = null);

/// <summary>Position after the last case of a page, in queue order (deadline, score descending, id).</summary>
public sealed record CaseCursor(DateTimeOffset DueAt, double MaxScore, string CaseId)
{
    public string Encode() =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{DueAt.UtcTicks}:{MaxScore:R}:{CaseId}")));

    public static bool TryDecode(string? encoded, out CaseCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(encoded) || encoded.Length > 400)
        {
            return false;
        }

        try
        {
            var parts = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(encoded)).Split(':', 3);
            if (parts.Length != 3
                || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
                || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var score)
                || TransactionRules.CheckId(parts[2]) is not null)
            {
                return false;
            }

            cursor = new CaseCursor(new DateTimeOffset(ticks, TimeSpan.Zero), score, parts[2]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>One page of cases; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record CasePage(IReadOnlyList<Case> Items, string? NextCursor);
