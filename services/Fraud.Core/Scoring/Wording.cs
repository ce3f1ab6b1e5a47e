using System.Globalization;

namespace Fraud.Core.Scoring;

/// <summary>Counts and ages in the words an analyst reads: "1 transaction", "3 transactions", "today", "2 days ago".</summary>
internal static class Wording
{
    public static string Count(double n, string one, string? many = null)
    {
        var rounded = Math.Round(n);
        return string.Create(CultureInfo.InvariantCulture, $"{rounded:N0} {(rounded == 1 ? one : many ?? one + "s")}");
    }

    public static string DaysAgo(double days)
    {
        var whole = Math.Floor(Math.Max(days, 0));
        return whole switch
        {
            0 => "today",
            1 => "yesterday",
            _ => string.Create(CultureInfo.InvariantCulture, $"{whole:N0} days ago"),
        };
    }
}
