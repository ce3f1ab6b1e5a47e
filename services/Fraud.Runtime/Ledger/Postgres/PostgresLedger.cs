using System.Data.Common;
using System.Text;
using Dapper;
using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Runtime.Ledger.Postgres;

/// <summary>
/// The ledger in PostgreSQL (Npgsql + Dapper): one <see cref="NpgsqlDataSource"/> per replica,
/// batches written with binary COPY into a session-local staging table and moved over with
/// <c>INSERT … ON CONFLICT DO NOTHING</c>, reviews under <c>SELECT … FOR UPDATE</c>. The schema is
/// in <see cref="PostgresMigrations"/>.
/// </summary>
/// <remarks>
/// Times are stored as <c>timestamptz</c> (microseconds): values are truncated to the microsecond on
/// write. Amounts are <c>numeric</c> (exact, scale kept), scores and coordinates
/// <c>double precision</c> (exact). The data source sets <c>No Reset On Close</c> so the staging
/// table and prepared statements survive a connection's return to the pool.
/// </remarks>
public sealed partial class PostgresLedger(string connectionString, LedgerOptions options) : ILedger, ICaseLedger, IAsyncDisposable
{
    /// <summary>Serialises label sequence numbers with commits, so a reader never skips a label that commits late.</summary>
    private const long LabelLockKey = 0x4672_6175_644C_6162; // "FraudLab"

    private const string StagingTable = "ledger_staging_v1";

    private const string CreateStagingSql =
        $"""
        CREATE TEMP TABLE IF NOT EXISTS {StagingTable} (
            transaction_id text, account_id text, merchant_id text, merchant_category text, currency text,
            country text, channel smallint, device_id text, latitude double precision, longitude double precision,
            transaction_time timestamptz, amount numeric, score double precision, severity smallint, reasons jsonb,
            model_version text, scored_at timestamptz, is_anomaly boolean, status smallint, reviewed_by text,
            reviewed_at timestamptz, note text
        ) ON COMMIT DELETE ROWS
        """;

    private const string CopySql = $"COPY {StagingTable} ({LedgerCodec.RowColumns}) FROM STDIN (FORMAT BINARY)";

    // The staging table keeps COPY order: with duplicates inside a batch, the first one wins (as in SQLite).
    // Only the rows really inserted are counted into the stats, and their anomalies put in the case inbox.
    private const string InsertFromStagingSql =
        $"""
        WITH changed AS (
            INSERT INTO scored_transactions ({LedgerCodec.RowColumns}) SELECT {LedgerCodec.RowColumns} FROM {StagingTable}
            ON CONFLICT (transaction_id) DO NOTHING
            RETURNING transaction_id, account_id, transaction_time, score, severity, scored_at, is_anomaly, status, model_version),
        inboxed AS (
            INSERT INTO case_inbox (transaction_id, account_id, transaction_time, score, severity, scored_at)
            SELECT transaction_id, account_id, transaction_time, score, severity, scored_at FROM changed WHERE is_anomaly),
        {CountChanged}
        """;

    /// <summary>
    /// Adds the rows of the CTE <c>changed</c> (times <c>@sign</c>: 1 written, -1 purged) to this
    /// writer's minute and hour counters, in key order (no deadlock with a concurrent purge), and
    /// returns how many there were.
    /// </summary>
    private const string CountChanged =
        """
        counted AS (
            SELECT date_trunc('minute', scored_at AT TIME ZONE 'UTC') AS minute, severity, coalesce(status, -1) AS status, model_version, count(*) AS n
              FROM changed GROUP BY 1, 2, 3, 4),
        added AS (
            INSERT INTO ledger_stats AS s (span, bucket, writer, severity, status, model_version, count)
            SELECT span, bucket, @writer, severity, status, model_version, @sign * n FROM (
                SELECT 1 AS span, minute AT TIME ZONE 'UTC' AS bucket, severity, status, model_version, n FROM counted
                UNION ALL
                SELECT 60, date_trunc('hour', minute) AT TIME ZONE 'UTC', severity, status, model_version, sum(n) FROM counted
                 GROUP BY date_trunc('hour', minute), severity, status, model_version) AS buckets
             ORDER BY span, bucket, severity, status, model_version
            ON CONFLICT (span, bucket, writer, severity, status, model_version) DO UPDATE SET count = s.count + EXCLUDED.count)
        SELECT coalesce(sum(n), 0)::int FROM counted
        """;

    private const string SelectRow = $"SELECT {LedgerCodec.RowColumns} FROM scored_transactions";

    private readonly NpgsqlDataSource _dataSource = CreateDataSource(connectionString, options);

    /// <summary>This process's stats counters (see <see cref="CountChanged"/>): replicas rarely share one.</summary>
    private readonly short _writer = (short)Random.Shared.Next(1, short.MaxValue);
    private readonly int _commandTimeout = TimeoutSeconds(options);

    public string Kind => "postgresql";

    public Task MigrateAsync(CancellationToken cancellationToken) => PostgresMigrations.ApplyAsync(_dataSource, _commandTimeout, cancellationToken);

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", commandTimeout: _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    public async Task<int> WriteAsync(IReadOnlyList<ScoredTransaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return 0;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(CreateStagingSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken).ConfigureAwait(false))
        {
            importer.Timeout = TimeSpan.FromSeconds(_commandTimeout);
            for (var i = 0; i < batch.Count; i++)
            {
                await WriteRowAsync(importer, batch[i] ?? throw new ArgumentException($"batch[{i}] is null", nameof(batch)), cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        int inserted;
        await using (var insert = new NpgsqlCommand(InsertFromStagingSql, connection, transaction))
        {
            AddCounterParameters(insert, sign: 1);
            inserted = (int)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, ScoredTransaction row, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(row.TransactionId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(row.AccountId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, row.MerchantId, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, row.MerchantCategory, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, row.Currency, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, row.Country, cancellationToken).ConfigureAwait(false);
        if (row.Channel is { } channel)
        {
            await importer.WriteAsync((short)channel, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        await WriteTextAsync(importer, row.DeviceId, cancellationToken).ConfigureAwait(false);
        await WriteDoubleAsync(importer, row.Latitude, cancellationToken).ConfigureAwait(false);
        await WriteDoubleAsync(importer, row.Longitude, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(LedgerCodec.UtcMicroseconds(row.Timestamp), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(row.Amount, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(row.Score, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync((short)row.Severity, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
        if (ReasonsJson.Write(row.Reasons) is { } reasons)
        {
            await importer.WriteAsync(reasons, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }

        await importer.WriteAsync(row.ModelVersion, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await importer.WriteAsync(LedgerCodec.UtcMicroseconds(row.ScoredAt), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        if (row is Anomaly anomaly)
        {
            await importer.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync((short)anomaly.Status, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, anomaly.ReviewedBy, cancellationToken).ConfigureAwait(false);
            if (anomaly.ReviewedAt is { } reviewedAt)
            {
                await importer.WriteAsync(LedgerCodec.UtcMicroseconds(reviewedAt), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteTextAsync(importer, anomaly.Note, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await importer.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < 4; i++)
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteDoubleAsync(NpgsqlBinaryImporter importer, double? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Double, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    public async Task<ScoredTransaction?> GetTransactionAsync(string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command($"{SelectRow} WHERE transaction_id = @id", connection);
        command.Parameters.Add(new NpgsqlParameter<string>("id", transactionId));
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScoredTransaction>> GetTransactionsAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionIds);
        if (transactionIds.Count == 0)
        {
            return [];
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command($"{SelectRow} WHERE transaction_id = ANY(@ids)", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. transactionIds]));
        var rows = new List<ScoredTransaction>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(LedgerCodec.ReadRow<Dialect>(reader));
        }

        return rows;
    }

    public async Task<Anomaly?> GetAnomalyAsync(string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command($"{SelectRow} WHERE transaction_id = @id AND is_anomaly", connection);
        command.Parameters.Add(new NpgsqlParameter<string>("id", transactionId));
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false) as Anomaly;
    }

    public async Task<AnomalyPage> QueryAnomaliesAsync(AnomalyFilter filter, CancellationToken cancellationToken)
    {
        var severities = LedgerCodec.Check(filter);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(string.Empty, connection);
        var sql = new StringBuilder(SelectRow).Append(" WHERE is_anomaly");
        if (severities is not null)
        {
            sql.Append(" AND severity = ANY(@severities)");
            command.Parameters.Add(new NpgsqlParameter<short[]>("severities", Array.ConvertAll(severities, s => (short)s)));
        }

        if (filter.Status is { } status)
        {
            sql.Append(" AND status = @status");
            command.Parameters.Add(new NpgsqlParameter<short>("status", (short)status));
        }

        if (filter.AccountId is { } account)
        {
            sql.Append(" AND account_id = @account");
            command.Parameters.Add(new NpgsqlParameter<string>("account", account));
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND transaction_time >= @from");
            command.Parameters.Add(new NpgsqlParameter<DateTime>("from", LedgerCodec.CeilingToMicroseconds(from).UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND transaction_time < @to");
            command.Parameters.Add(new NpgsqlParameter<DateTime>("to", LedgerCodec.CeilingToMicroseconds(to).UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        if (filter.MinScore is { } minScore)
        {
            sql.Append(" AND score >= @min_score");
            command.Parameters.Add(new NpgsqlParameter<double>("min_score", minScore));
        }

        if (filter.After is { } after)
        {
            // Strictly after the cursor in (timestamp desc, id desc) order: one row comparison the indexes answer.
            sql.Append(" AND (transaction_time, transaction_id) < (@after_time, @after_id)");
            command.Parameters.Add(new NpgsqlParameter<DateTime>("after_time", LedgerCodec.UtcMicroseconds(after.Timestamp)) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string>("after_id", after.TransactionId));
        }

        sql.Append(" ORDER BY transaction_time DESC, transaction_id DESC LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<int>("limit", filter.Limit + 1));
        command.CommandText = sql.ToString();

        var rows = new List<Anomaly>(Math.Min(filter.Limit + 1, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((Anomaly)LedgerCodec.ReadRow<Dialect>(reader));
            }
        }

        return LedgerCodec.Page(rows, filter.Limit);
    }

    public async Task<ReviewResult> ReviewAsync(string transactionId, Review review, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        LedgerCodec.Check(review);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        Anomaly? current;
        await using (var select = Command($"{SelectRow} WHERE transaction_id = @id AND is_anomaly FOR UPDATE", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter<string>("id", transactionId));
            current = await ReadSingleAsync(select, cancellationToken).ConfigureAwait(false) as Anomaly;
        }

        if (current is null)
        {
            return new ReviewResult(ReviewOutcome.NotFound, null);
        }

        if (ifMatch is not null && !AnomalyETag.Matches(ifMatch, current))
        {
            return new ReviewResult(ReviewOutcome.Conflict, current);
        }

        var updated = LedgerCodec.Apply(current, review);
        await using (var update = Command(
            "UPDATE scored_transactions SET status = @status, reviewed_by = @by, reviewed_at = @at, note = @note WHERE transaction_id = @id",
            connection,
            transaction))
        {
            update.Parameters.Add(new NpgsqlParameter<short>("status", (short)updated.Status));
            update.Parameters.Add(new NpgsqlParameter<string>("by", updated.ReviewedBy!));
            update.Parameters.Add(new NpgsqlParameter<DateTime>("at", updated.ReviewedAt!.Value.UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            update.Parameters.Add(new NpgsqlParameter("note", NpgsqlDbType.Text) { Value = (object?)updated.Note ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter<string>("id", transactionId));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            CaseSql.RecordAlertReview, CaseSql.ReviewParameters(transactionId, updated, Time), transaction, _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (updated.Status != current.Status)
        {
            await MoveStatusCountAsync(connection, transaction, current, updated.Status, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ReviewResult(ReviewOutcome.Updated, updated);
    }

    /// <summary>A review moved an anomaly from one status to another: one count from the old status's minute and hour rows to the new one's.</summary>
    private async Task MoveStatusCountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Anomaly anomaly, AnomalyStatus to, CancellationToken cancellationToken)
    {
        await using var move = Command(
            """
            INSERT INTO ledger_stats AS s (span, bucket, writer, severity, status, model_version, count)
            SELECT span, CASE span WHEN 1 THEN @minute ELSE @hour END, @writer, @severity, status, @model, delta
              FROM (VALUES (1, @from, -1), (1, @to, 1), (60, @from, -1), (60, @to, 1)) AS moves (span, status, delta)
             ORDER BY span, status
            ON CONFLICT (span, bucket, writer, severity, status, model_version) DO UPDATE SET count = s.count + EXCLUDED.count
            """,
            connection,
            transaction);
        move.Parameters.Add(new NpgsqlParameter<DateTime>("minute", StatsWindow.MinuteOf(anomaly.ScoredAt).UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        move.Parameters.Add(new NpgsqlParameter<DateTime>("hour", StatsWindow.HourOf(anomaly.ScoredAt).UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        move.Parameters.Add(new NpgsqlParameter<short>("writer", _writer));
        move.Parameters.Add(new NpgsqlParameter<short>("severity", (short)anomaly.Severity));
        move.Parameters.Add(new NpgsqlParameter<string>("model", anomaly.ModelVersion));
        move.Parameters.Add(new NpgsqlParameter<short>("from", (short)anomaly.Status));
        move.Parameters.Add(new NpgsqlParameter<short>("to", (short)to));
        await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AddCounterParameters(NpgsqlCommand command, int sign)
    {
        command.Parameters.Add(new NpgsqlParameter<short>("writer", _writer));
        command.Parameters.Add(new NpgsqlParameter<long>("sign", sign));
    }

    public async Task<bool> RecordLabelAsync(FraudLabel label, DateTimeOffset labelledAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(label.TransactionId, nameof(label));
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key = LabelLockKey }, transaction, _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE scored_transactions
               SET label = @isFraud, labelled_at = @labelledAt, label_seq = nextval('ledger_label_seq')
             WHERE transaction_id = @id AND label IS DISTINCT FROM @isFraud
            """,
            new { isFraud = label.IsFraud, labelledAt = LedgerCodec.TruncateToMicroseconds(labelledAt), id = label.TransactionId },
            transaction,
            _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (updated == 0)
        {
            // Unknown, or already carrying this label: a repeated verdict takes no new sequence number.
            return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM scored_transactions WHERE transaction_id = @id)",
                new { id = label.TransactionId }, transaction, _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<LabelRecord>> LabelsAfterAsync(long afterSequence, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<LabelRow>(new CommandDefinition(
            LabelSql.After,
            new { after = afterSequence, max },
            commandTimeout: _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows
            .Select(r => new LabelRecord(r.Sequence, new FraudLabel(r.TransactionId, r.AccountId, r.MerchantId, LedgerCodec.FromUtc(r.TransactionTime), r.IsFraud)))
            .ToList();
    }

    public async Task<long> LastLabelSequenceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            LabelSql.Last,
            commandTimeout: _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<LedgerStats> StatsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = StatsWindow.Of(from, to);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<StatsRow>(new CommandDefinition(
            $"""
            SELECT severity::bigint AS Severity, (status >= 0)::int::bigint AS IsAnomaly, nullif(status, -1)::bigint AS Status,
                   model_version AS ModelVersion, sum(count)::bigint AS Count
              FROM ledger_stats
             WHERE {StatsWindow.RowsFilter}
             GROUP BY severity, status, model_version
            HAVING sum(count) <> 0
            """,
            window.Parameters(t => t.UtcDateTime),
            commandTimeout: _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return StatsRow.Build(window.From, window.To, rows);
    }

    public async Task<LedgerActivity> ActivityAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lastMinute = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT sum(count)::bigint FROM ledger_stats WHERE span = 1 AND bucket = @minute",
            new { minute = StatsWindow.MinuteOf(now).AddMinutes(-1).UtcDateTime },
            commandTimeout: _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        // Writers keep their own rows: the latest bucket's model with the most transactions over all writers.
        var model = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT model_version FROM ledger_stats
             WHERE span = 1 AND bucket = (SELECT max(bucket) FROM ledger_stats WHERE span = 1 AND count > 0)
             GROUP BY model_version ORDER BY sum(count) DESC LIMIT 1
            """,
            commandTimeout: _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new LedgerActivity(lastMinute ?? 0, model);
    }

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var bound = LedgerCodec.CeilingToMicroseconds(cutoff);
        long total = 0;
        while (true)
        {
            // Each chunk is its own statement (and transaction): locks stay short, WAL stays small.
            // The stats lose what is purged, in the same statement: a window never counts rows that are gone.
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var purge = Command(
                $"""
                WITH changed AS (
                    DELETE FROM scored_transactions
                     WHERE ctid = ANY (ARRAY(SELECT ctid FROM scored_transactions WHERE scored_at < @cutoff LIMIT @chunk))
                    RETURNING scored_at, severity, status, model_version),
                {CountChanged}
                """,
                connection);
            purge.Parameters.Add(new NpgsqlParameter<DateTime>("cutoff", bound.UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
            purge.Parameters.Add(new NpgsqlParameter<int>("chunk", LedgerCodec.PurgeChunkRows));
            AddCounterParameters(purge, sign: -1);
            var deleted = (int)(await purge.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            total += deleted;
            if (deleted == 0)
            {
                // Counters that purges and reviews brought to zero, in buckets nothing will be written to again.
                await using var tidy = Command("DELETE FROM ledger_stats WHERE bucket < @cutoff AND count = 0", connection);
                tidy.Parameters.Add(new NpgsqlParameter<DateTime>("cutoff", bound.UtcDateTime) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
                await tidy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                // Closed cases go with their alerts' retention; open ones stay until their verdict.
                foreach (var sql in new[] { CaseSql.PurgeEvents, CaseSql.PurgeCaseAlerts, CaseSql.PurgeCases, CaseSql.PurgeInbox, AlertFeatureSql.Purge })
                {
                    await connection.ExecuteAsync(Definition(sql, new { cutoff = bound.UtcDateTime }, cancellationToken)).ConfigureAwait(false);
                }

                return total;
            }
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction) { CommandTimeout = _commandTimeout };

    private static async Task<ScoredTransaction?> ReadSingleAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? LedgerCodec.ReadRow<Dialect>(reader) : null;
    }

    private static int TimeoutSeconds(LedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (int)Math.Clamp(Math.Ceiling(options.CommandTimeout.TotalSeconds), 1, int.MaxValue);
    }

    private static NpgsqlDataSource CreateDataSource(string connectionString, LedgerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "fraud-ledger" };
        var settings = builder.ConnectionStringBuilder;
        if (!Sets(connectionString, "maximumpoolsize", "maxpoolsize"))
        {
            settings.MaxPoolSize = options.MaxPoolSize;
            settings.MinPoolSize = Math.Min(settings.MinPoolSize, options.MaxPoolSize);
        }

        if (!Sets(connectionString, "maxautoprepare"))
        {
            // The ledger runs a handful of statements over and over: prepared once per physical
            // connection, PostgreSQL stops parsing and planning them on every read and write.
            settings.MaxAutoPrepare = 32;
        }

        settings.CommandTimeout = TimeoutSeconds(options);
        settings.NoResetOnClose = true;
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = "fraud-ledger";
        }

        return builder.Build();
    }

    /// <summary>True when the connection string itself names one of these keys (compared without spaces, case-insensitively).</summary>
    private static bool Sets(string connectionString, params string[] keys)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
        {
            var normalised = key.Replace(" ", string.Empty, StringComparison.Ordinal);
            if (keys.Any(k => string.Equals(k, normalised, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Dialect : ILedgerDialect
    {
        public static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => LedgerCodec.FromUtc(reader.GetFieldValue<DateTime>(ordinal));

        public static decimal ReadAmount(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);
    }

    private sealed class LabelRow
    {
        public long Sequence { get; set; }
        public string TransactionId { get; set; } = string.Empty;
        public string AccountId { get; set; } = string.Empty;
        public string? MerchantId { get; set; }
        public DateTime TransactionTime { get; set; }
        public bool IsFraud { get; set; }
    }
}
