using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// Filters of <see cref="ILedger.QueryAnomaliesAsync"/>, all optional and combined with "and".
/// <paramref name="From"/> is inclusive and <paramref name="To"/> exclusive, on the transaction's
/// timestamp; <paramref name="After"/> is the previous page's <see cref="AnomalyPage.NextCursor"/>.
/// </summary>
public sealed record AnomalyFilter(
    IReadOnlyList<Severity>? Severities = null,
    AnomalyStatus? Status = null,
    string? AccountId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    double? MinScore = null,
    int Limit = 50,
    AnomalyCursor? After = null);

/// <summary>Position after the last item of a page: its timestamp and id (the sort key).</summary>
public sealed record AnomalyCursor(DateTimeOffset Timestamp, string TransactionId)
{
    /// <summary>Opaque, URL-safe text for <c>nextCursor</c>.</summary>
    public string Encode()
    {
        var text = $"{Timestamp.UtcTicks}:{TransactionId}";
        return System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));
    }

    public static bool TryDecode(string? encoded, out AnomalyCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(encoded) || encoded.Length > 400)
        {
            return false;
        }

        try
        {
            var text = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(encoded));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return false;
            }

            cursor = new AnomalyCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>One page of anomalies; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record AnomalyPage(IReadOnlyList<Anomaly> Items, string? NextCursor);

/// <summary>An analyst's review: the new status, who, when, and an optional note.</summary>
public sealed record Review(AnomalyStatus Status, string ReviewedBy, DateTimeOffset ReviewedAt, string? Note);

public enum ReviewOutcome
{
    Updated,
    NotFound,
    /// <summary>The If-Match tag no longer matches: someone reviewed it meanwhile.</summary>
    Conflict,
}

/// <summary>The outcome, and the anomaly as it now is (null when not found).</summary>
public sealed record ReviewResult(ReviewOutcome Outcome, Anomaly? Anomaly);

/// <summary>A recorded label with its sequence number (monotonic per ledger).</summary>
public sealed record LabelRecord(long Sequence, FraudLabel Label);

/// <summary>The features an alert was scored with, as the detector computed them (<see cref="ILedger.SaveAlertFeaturesAsync"/>).</summary>
public sealed record AlertFeatures(string TransactionId, DateTimeOffset RecordedAt, float[] Features);

/// <summary>A labelled alert's features and its label (<see cref="ILedger.LabelledFeaturesAsync"/>).</summary>
public sealed record LabelledFeatures(string TransactionId, bool IsFraud, float[] Features);

/// <summary>What <c>GET /stats</c> reports for a window.</summary>
public sealed record LedgerStats(
    DateTimeOffset From,
    DateTimeOffset To,
    long Transactions,
    long Anomalies,
    IReadOnlyDictionary<Severity, long> BySeverity,
    IReadOnlyDictionary<AnomalyStatus, long> ByStatus,
    IReadOnlyDictionary<string, long> ByModelVersion)
{
    /// <summary>Transactions per second over the window.</summary>
    public double Throughput => (To - From).TotalSeconds > 0 ? Transactions / (To - From).TotalSeconds : 0;
}

/// <summary>What is scored now: the transactions of the last complete minute and the model that scored the latest ones.</summary>
public sealed record LedgerActivity(long LastMinuteTransactions, string? LatestModelVersion)
{
    public double TransactionsPerSecond => LastMinuteTransactions / 60.0;
}
