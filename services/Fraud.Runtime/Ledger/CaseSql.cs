using System.Data.Common;
using Dapper;
using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// The case statements both ledgers run (Dapper over either connection), so they agree on every
/// behaviour. A ledger gives its dialect: how it stores a time, and how it passes a list of ids.
/// Case columns: status (open 0, closed 1), severity and verdict as the contract's enum values.
/// </summary>
internal static class CaseSql
{
    private const string CaseColumns =
        "case_id AS CaseId, account_id AS AccountId, status AS Status, severity AS Severity, max_score AS MaxScore, alerts AS Alerts, "
        + "first_alert_at AS FirstAlertAt, last_alert_at AS LastAlertAt, opened_at AS OpenedAt, due_at AS DueAt, escalated_at AS EscalatedAt, "
        + "assigned_to AS AssignedTo, verdict AS Verdict, closed_by AS ClosedBy, closed_at AS ClosedAt, note AS Note, version AS Version";

    public const string SelectCase = $"SELECT {CaseColumns} FROM cases";

    public const string UncasedAlerts =
        """
        SELECT transaction_id AS TransactionId, account_id AS AccountId, transaction_time AS Timestamp, score AS Score, severity AS Severity
          FROM case_inbox
         ORDER BY scored_at, transaction_id
         LIMIT @max
        """;

    public const string CountUncased = "SELECT count(*) FROM case_inbox";

    /// <summary>The rows of a case's alerts, for a select of the ledger's row columns.</summary>
    public const string AlertsOfCase = "WHERE transaction_id IN (SELECT transaction_id FROM case_alerts WHERE case_id = @case) ORDER BY transaction_time DESC, transaction_id DESC LIMIT @max";

    public const string LastCaseNumber = "SELECT coalesce(max(number), 0) FROM cases WHERE account_id = @account";

    public const string History =
        """
        SELECT sequence AS Sequence, case_id AS CaseId, at AS At, by_name AS By, kind AS Kind, transaction_id AS TransactionId, value AS Value, note AS Note
          FROM case_events WHERE case_id = @id ORDER BY sequence
        """;

    public const string DueCases = $"{SelectCase} WHERE status = 0 AND escalated_at IS NULL AND due_at <= @now ORDER BY due_at LIMIT @max";

    public const string Insert =
        """
        INSERT INTO cases (case_id, account_id, number, status, severity, max_score, alerts, first_alert_at, last_alert_at, opened_at, due_at,
                           escalated_at, assigned_to, verdict, closed_by, closed_at, note, version)
        VALUES (@CaseId, @AccountId, @Number, @Status, @Severity, @MaxScore, @Alerts, @FirstAlertAt, @LastAlertAt, @OpenedAt, @DueAt,
                @EscalatedAt, @AssignedTo, @Verdict, @ClosedBy, @ClosedAt, @Note, @Version)
        ON CONFLICT DO NOTHING
        """;

    public const string Update =
        """
        UPDATE cases SET status = @Status, severity = @Severity, max_score = @MaxScore, alerts = @Alerts, first_alert_at = @FirstAlertAt,
                         last_alert_at = @LastAlertAt, due_at = @DueAt, escalated_at = @EscalatedAt, assigned_to = @AssignedTo,
                         verdict = @Verdict, closed_by = @ClosedBy, closed_at = @ClosedAt, note = @Note, version = @Version
         WHERE case_id = @CaseId AND version = @ExpectedVersion
        """;

    public const string InsertEvent =
        """
        INSERT INTO case_events (case_id, at, by_name, kind, transaction_id, value, note)
        VALUES (@CaseId, @At, @By, @Kind, @TransactionId, @Value, @Note)
        """;

    /// <summary>Takes alerts out of the inbox; a filing is valid only when every one of them was still there.</summary>
    public const string TakeFromInbox = "DELETE FROM case_inbox WHERE transaction_id {in @ids}";

    public const string FileAlert = "INSERT INTO case_alerts (transaction_id, case_id) VALUES (@id, @case)";

    /// <summary>Every review of an alert that is in a case is in the case's history: run in the review's transaction.</summary>
    public const string RecordAlertReview =
        """
        INSERT INTO case_events (case_id, at, by_name, kind, transaction_id, value, note)
        SELECT case_id, @at, @by, @kind, transaction_id, @value, @note FROM case_alerts WHERE transaction_id = @id
        """;

    public const string HoldLease =
        """
        INSERT INTO ledger_leases (name, holder, until) VALUES (@name, @holder, @until)
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE ledger_leases.until < @now OR ledger_leases.holder = @holder
        """;

    /// <summary>Closed cases whose verdict is older than the cutoff, with their history and alert list; inbox entries of purged anomalies.</summary>
    public const string PurgeEvents = "DELETE FROM case_events WHERE case_id IN (SELECT case_id FROM cases WHERE status = 1 AND closed_at < @cutoff)";

    public const string PurgeCaseAlerts = "DELETE FROM case_alerts WHERE case_id IN (SELECT case_id FROM cases WHERE status = 1 AND closed_at < @cutoff)";

    public const string PurgeInbox = "DELETE FROM case_inbox WHERE scored_at < @cutoff";

    public const string PurgeCases = "DELETE FROM cases WHERE status = 1 AND closed_at < @cutoff";

    /// <summary>
    /// A statement in a dialect: <c>{in @list}</c> as it tests membership: Dapper passes a list to
    /// Npgsql as one array (<c>= ANY(@list)</c>) and expands it for SQLite (<c>IN @list</c>).
    /// </summary>
    public static string In(string sql, bool postgres) =>
        System.Text.RegularExpressions.Regex.Replace(sql, @"\{in (@\w+)\}", postgres ? "= ANY($1)" : "IN $1");

    /// <summary>The queue's SQL and parameters for a filter.</summary>
    public static (string Sql, DynamicParameters Parameters) Query(CaseFilter filter, Func<DateTimeOffset, object> time, bool postgres)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Limit is < 1 or > LedgerCodec.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(filter), filter.Limit, $"Limit must be in [1, {LedgerCodec.MaxPageSize}]");
        }

        var sql = new System.Text.StringBuilder(SelectCase).Append(" WHERE true");
        var parameters = new DynamicParameters();
        if (filter.Status is { } status)
        {
            sql.Append(" AND status = @status");
            parameters.Add("status", (short)status);
        }

        if (filter.Severities is { Count: > 0 } severities)
        {
            sql.Append(" AND severity {in @severities}");
            parameters.Add("severities", severities.Distinct().Select(s => (short)s).ToArray());
        }

        if (filter.Unassigned)
        {
            sql.Append(" AND assigned_to IS NULL");
        }
        else if (filter.AssignedTo is { } assignee)
        {
            sql.Append(" AND assigned_to = @assignee");
            parameters.Add("assignee", assignee);
        }

        if (filter.AccountId is { } account)
        {
            sql.Append(" AND account_id = @account");
            parameters.Add("account", account);
        }

        if (filter.After is { } after)
        {
            sql.Append(" AND (due_at > @afterDue OR (due_at = @afterDue AND (max_score < @afterScore OR (max_score = @afterScore AND case_id > @afterId))))");
            parameters.Add("afterDue", time(after.DueAt));
            parameters.Add("afterScore", after.MaxScore);
            parameters.Add("afterId", after.CaseId);
        }

        sql.Append(" ORDER BY due_at, max_score DESC, case_id LIMIT @limit");
        parameters.Add("limit", filter.Limit + 1);
        return (In(sql.ToString(), postgres), parameters);
    }

    public static CasePage Page(List<Case> rows, int limit)
    {
        if (rows.Count <= limit)
        {
            return new CasePage(rows, null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        var last = rows[^1];
        return new CasePage(rows, new CaseCursor(last.DueAt, last.MaxScore, last.CaseId).Encode());
    }

    /// <summary>The parameters of <see cref="Insert"/> and <see cref="Update"/>.</summary>
    public static object Parameters(Case c, long expectedVersion, Func<DateTimeOffset, object> time) => new
    {
        c.CaseId,
        c.AccountId,
        Number = CaseIds.NumberOf(c.CaseId),
        Status = (short)c.Status,
        Severity = (short)c.Severity,
        c.MaxScore,
        c.Alerts,
        FirstAlertAt = time(c.FirstAlertAt),
        LastAlertAt = time(c.LastAlertAt),
        OpenedAt = time(c.OpenedAt),
        DueAt = time(c.DueAt),
        EscalatedAt = c.EscalatedAt is { } e ? time(e) : null,
        c.AssignedTo,
        Verdict = c.Verdict is { } v ? (short?)v : null,
        c.ClosedBy,
        ClosedAt = c.ClosedAt is { } closed ? time(closed) : null,
        c.Note,
        c.Version,
        ExpectedVersion = expectedVersion,
    };

    public static object Parameters(CaseEvent e, Func<DateTimeOffset, object> time) => new
    {
        e.CaseId,
        At = time(e.At),
        e.By,
        Kind = (short)e.Kind,
        e.TransactionId,
        e.Value,
        e.Note,
    };

    /// <summary>The parameters of <see cref="RecordAlertReview"/>.</summary>
    public static object ReviewParameters(string transactionId, Anomaly reviewed, Func<DateTimeOffset, object> time) => new
    {
        id = transactionId,
        at = time(reviewed.ReviewedAt!.Value),
        by = reviewed.ReviewedBy,
        kind = (short)CaseEventKind.AlertReviewed,
        value = WireNames.Name(reviewed.Status),
        note = reviewed.Note,
    };

    /// <summary>A row as either database returns it: times are timestamptz or microseconds, integers any width.</summary>
    internal sealed class CaseRow
    {
        public string CaseId { get; set; } = string.Empty;
        public string AccountId { get; set; } = string.Empty;
        public object Status { get; set; } = 0;
        public object Severity { get; set; } = 0;
        public double MaxScore { get; set; }
        public object Alerts { get; set; } = 0;
        public object FirstAlertAt { get; set; } = 0L;
        public object LastAlertAt { get; set; } = 0L;
        public object OpenedAt { get; set; } = 0L;
        public object DueAt { get; set; } = 0L;
        public object? EscalatedAt { get; set; }
        public string? AssignedTo { get; set; }
        public object? Verdict { get; set; }
        public string? ClosedBy { get; set; }
        public object? ClosedAt { get; set; }
        public string? Note { get; set; }
        public object Version { get; set; } = 0L;

        public Case ToCase() => new()
        {
            CaseId = CaseId,
            AccountId = AccountId,
            Status = (CaseStatus)Convert.ToInt32(Status, System.Globalization.CultureInfo.InvariantCulture),
            Severity = (Severity)Convert.ToInt32(Severity, System.Globalization.CultureInfo.InvariantCulture),
            MaxScore = MaxScore,
            Alerts = Convert.ToInt32(Alerts, System.Globalization.CultureInfo.InvariantCulture),
            FirstAlertAt = Time(FirstAlertAt),
            LastAlertAt = Time(LastAlertAt),
            OpenedAt = Time(OpenedAt),
            DueAt = Time(DueAt),
            EscalatedAt = EscalatedAt is null ? null : Time(EscalatedAt),
            AssignedTo = AssignedTo,
            Verdict = Verdict is null ? null : (AnomalyStatus)Convert.ToInt32(Verdict, System.Globalization.CultureInfo.InvariantCulture),
            ClosedBy = ClosedBy,
            ClosedAt = ClosedAt is null ? null : Time(ClosedAt),
            Note = Note,
            Version = Convert.ToInt64(Version, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    internal sealed class EventRow
    {
        public object Sequence { get; set; } = 0L;
        public string CaseId { get; set; } = string.Empty;
        public object At { get; set; } = 0L;
        public string By { get; set; } = string.Empty;
        public object Kind { get; set; } = 0;
        public string? TransactionId { get; set; }
        public string? Value { get; set; }
        public string? Note { get; set; }

        public CaseEvent ToEvent() => new(
            Convert.ToInt64(Sequence, System.Globalization.CultureInfo.InvariantCulture),
            CaseId,
            Time(At),
            By,
            (CaseEventKind)Convert.ToInt32(Kind, System.Globalization.CultureInfo.InvariantCulture),
            TransactionId,
            Value,
            Note);
    }

    internal sealed class AlertRow
    {
        public string TransactionId { get; set; } = string.Empty;
        public string AccountId { get; set; } = string.Empty;
        public object Timestamp { get; set; } = 0L;
        public double Score { get; set; }
        public object Severity { get; set; } = 0;

        public UncasedAlert ToAlert() =>
            new(TransactionId, AccountId, Time(Timestamp), Score, (Severity)Convert.ToInt32(Severity, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static DateTimeOffset Time(object value) => value switch
    {
        DateTime utc => LedgerCodec.FromUtc(utc),
        DateTimeOffset offset => offset.ToUniversalTime(),
        _ => LedgerCodec.FromUnixMicroseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    /// <summary>Reads rows of <typeparamref name="TRow"/> on an open connection (sync: SQLite's reads are).</summary>
    public static List<TRow> Rows<TRow>(DbConnection connection, string sql, object? parameters, DbTransaction? transaction, int timeout) =>
        connection.Query<TRow>(sql, parameters, transaction, buffered: true, commandTimeout: timeout).AsList();
}
