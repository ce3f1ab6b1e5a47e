using System.Data.Common;
using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// What the PostgreSQL and SQLite ledgers share, so they agree on every behaviour: the column list
/// and its mapping to contracts, time precision, filter checks, stats (the reasons JSON is
/// <see cref="ReasonsJson"/>).
/// </summary>
/// <remarks>
/// Times are stored to the microsecond (PostgreSQL's resolution; SQLite stores microseconds since
/// the Unix epoch): values are truncated on write, so a read equals what was stored but not always
/// what was given when the given value had sub-microsecond ticks. Lower bounds and exclusive upper
/// bounds given as filters are rounded up to the microsecond, which keeps their meaning exact.
/// </remarks>
internal static class LedgerCodec
{
    /// <summary>Largest <see cref="AnomalyFilter.Limit"/> accepted.</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>Rows deleted per statement by <see cref="ILedger.PurgeAsync"/>.</summary>
    public const int PurgeChunkRows = 10_000;

    /// <summary>The columns every row read selects, in the order <see cref="ReadRow{TDialect}"/> expects.</summary>
    public const string RowColumns =
        "transaction_id, account_id, merchant_id, merchant_category, currency, country, channel, device_id, "
        + "latitude, longitude, transaction_time, amount, score, severity, reasons, model_version, scored_at, "
        + "is_anomaly, status, reviewed_by, reviewed_at, note";

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>The instant truncated to whole microseconds, in UTC.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }

    /// <summary>The instant rounded up to whole microseconds, in UTC (for bounds: <c>t &gt;= b</c> ⇔ <c>t &gt;= ceil(b)</c> for stored t).</summary>
    public static DateTimeOffset CeilingToMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        var remainder = ticks % TimeSpan.TicksPerMicrosecond;
        if (remainder == 0)
        {
            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        var up = ticks - remainder + TimeSpan.TicksPerMicrosecond;
        return new DateTimeOffset(up <= DateTimeOffset.MaxValue.UtcTicks ? up : ticks - remainder, TimeSpan.Zero);
    }

    /// <summary>UTC <see cref="DateTime"/> truncated to microseconds (what Npgsql writes to <c>timestamptz</c>).</summary>
    public static DateTime UtcMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }

    /// <summary>Microseconds since the Unix epoch, truncated (floor) to the microsecond.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return (ticks - ticks % TimeSpan.TicksPerMicrosecond - UnixEpochTicks) / TimeSpan.TicksPerMicrosecond;
    }

    public static DateTimeOffset FromUnixMicroseconds(long microseconds) =>
        new(UnixEpochTicks + microseconds * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    public static DateTimeOffset FromUtc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero);

    /// <summary>Checks a filter; returns the distinct severities to match, or null for any.</summary>
    public static Severity[]? Check(AnomalyFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(filter), filter.Limit, $"Limit must be in [1, {MaxPageSize}]");
        }

        if (filter.MinScore is { } min && double.IsNaN(min))
        {
            throw new ArgumentOutOfRangeException(nameof(filter), min, "MinScore must be a number");
        }

        // An empty list means "no severity filter", like null.
        return filter.Severities is { Count: > 0 } severities ? severities.Distinct().ToArray() : null;
    }

    /// <summary>The page of <paramref name="rows"/> (fetched with Limit + 1) and its cursor.</summary>
    public static AnomalyPage Page(List<Anomaly> rows, int limit)
    {
        if (rows.Count <= limit)
        {
            return new AnomalyPage(rows, null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        var last = rows[^1];
        return new AnomalyPage(rows, new AnomalyCursor(last.Timestamp, last.TransactionId).Encode());
    }

    /// <summary>The anomaly after the review, as the ledger stores it.</summary>
    public static Anomaly Apply(Anomaly current, Review review) => current with
    {
        Status = review.Status,
        ReviewedBy = review.ReviewedBy,
        ReviewedAt = TruncateToMicroseconds(review.ReviewedAt),
        Note = review.Note,
    };

    public static void Check(Review review)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(review.ReviewedBy, nameof(review));
    }

    /// <summary>Maps one row selected with <see cref="RowColumns"/>: an <see cref="Anomaly"/> when it is one.</summary>
    public static ScoredTransaction ReadRow<TDialect>(DbDataReader reader)
        where TDialect : ILedgerDialect
    {
        var scored = new ScoredTransaction
        {
            TransactionId = reader.GetString(0),
            AccountId = reader.GetString(1),
            MerchantId = reader.IsDBNull(2) ? null : reader.GetString(2),
            MerchantCategory = reader.IsDBNull(3) ? null : reader.GetString(3),
            Currency = reader.IsDBNull(4) ? null : reader.GetString(4),
            Country = reader.IsDBNull(5) ? null : reader.GetString(5),
            Channel = reader.IsDBNull(6) ? null : (Channel)reader.GetInt16(6),
            DeviceId = reader.IsDBNull(7) ? null : reader.GetString(7),
            Latitude = reader.IsDBNull(8) ? null : reader.GetDouble(8),
            Longitude = reader.IsDBNull(9) ? null : reader.GetDouble(9),
            Timestamp = TDialect.ReadTime(reader, 10),
            Amount = TDialect.ReadAmount(reader, 11),
            Score = reader.GetDouble(12),
            Severity = (Severity)reader.GetInt16(13),
            Reasons = ReasonsJson.Read(reader.IsDBNull(14) ? null : reader.GetString(14)),
            ModelVersion = reader.GetString(15),
            ScoredAt = TDialect.ReadTime(reader, 16),
        };

        if (!reader.GetBoolean(17))
        {
            return scored;
        }

        return new Anomaly(scored)
        {
            Status = reader.IsDBNull(18) ? AnomalyStatus.Open : (AnomalyStatus)reader.GetInt16(18),
            ReviewedBy = reader.IsDBNull(19) ? null : reader.GetString(19),
            ReviewedAt = reader.IsDBNull(20) ? null : TDialect.ReadTime(reader, 20),
            Note = reader.IsDBNull(21) ? null : reader.GetString(21),
        };
    }
}

/// <summary>How one database stores the values whose representation differs between the ledgers.</summary>
internal interface ILedgerDialect
{
    static abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    static abstract decimal ReadAmount(DbDataReader reader, int ordinal);
}

/// <summary>One group of the stats query: severity, anomaly flag, status, model version, count.</summary>
internal sealed class StatsRow
{
    public long Severity { get; set; }
    public long IsAnomaly { get; set; }
    public long? Status { get; set; }
    public string ModelVersion { get; set; } = string.Empty;
    public long Count { get; set; }

    public static LedgerStats Build(DateTimeOffset from, DateTimeOffset to, IEnumerable<StatsRow> rows)
    {
        var bySeverity = Enum.GetValues<Severity>().ToDictionary(s => s, _ => 0L);
        var byStatus = Enum.GetValues<AnomalyStatus>().ToDictionary(s => s, _ => 0L);
        var byModel = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0, anomalies = 0;
        foreach (var row in rows)
        {
            total += row.Count;
            var severity = (Severity)row.Severity;
            bySeverity[severity] = bySeverity.GetValueOrDefault(severity) + row.Count;
            byModel[row.ModelVersion] = byModel.GetValueOrDefault(row.ModelVersion) + row.Count;
            if (row.IsAnomaly != 0)
            {
                anomalies += row.Count;
                var status = (AnomalyStatus)(row.Status ?? 0);
                byStatus[status] = byStatus.GetValueOrDefault(status) + row.Count;
            }
        }

        return new LedgerStats(from, to, total, anomalies, bySeverity, byStatus, byModel);
    }
}
