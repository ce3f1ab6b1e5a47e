using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
using Microsoft.Data.Sqlite;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>
/// The ledger in one SQLite file (Microsoft.Data.Sqlite + Dapper), for the embedded runtime. WAL
/// journal with <c>synchronous=FULL</c>: an acknowledged batch survives a power cut. All writes go
/// through one dedicated connection, one at a time, each batch one transaction with a prepared
/// <c>INSERT OR IGNORE</c>; reads run beside the writer on read sessions kept open with their
/// prepared statements.
/// </summary>
/// <remarks>
/// Times are INTEGER microseconds since the Unix epoch (truncated to the microsecond on write, as in
/// PostgreSQL), amounts exact decimal TEXT (scale kept), reasons JSON text. <c>:memory:</c> is
/// accepted (a private shared-cache memory database; every call then uses the writer connection).
/// </remarks>
public sealed partial class SqliteLedger : ILedger, ICaseLedger, IDisposable
{
    private const string SelectRow = $"SELECT {LedgerCodec.RowColumns} FROM scored_transactions";
    private const string SelectById = $"{SelectRow} WHERE transaction_id = @id";
    private const string SelectAnomalyById = $"{SelectRow} WHERE transaction_id = @id AND is_anomaly = 1";

    private const string InsertSql =
        $"INSERT OR IGNORE INTO scored_transactions ({LedgerCodec.RowColumns}) VALUES "
        + "(@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21)";

    private const int InsertParameters = 22;

    private const long MmapBytes = 1L << 30;

    /// <summary>Log pages (4 KiB each) at which the writer checkpoints by itself: 80 MiB.</summary>
    private const int AutoCheckpointPages = 20_000;

    /// <summary>
    /// How often the log is checkpointed under load: a page that several group commits change in that
    /// time is written into the database file once.
    /// </summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _connectionString;
    private readonly bool _inMemory;
    private readonly int _commandTimeout;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteReadSessions _readers;
    private SqliteConnection? _writer;
    private SqliteReadSession? _writerSession;
    private SqliteCommand? _insert;
    private SqliteCommand? _count;
    private SqliteCheckpointer? _checkpointer;
    private string? _identity;
    private long _identityCheckedAt;
    private bool _disposed;

    public SqliteLedger(string pathOrConnectionString, LedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _commandTimeout = (int)Math.Clamp(Math.Ceiling(options.CommandTimeout.TotalSeconds), 1, int.MaxValue);
        _busyTimeoutMs = (int)Math.Clamp(options.CommandTimeout.TotalMilliseconds, 1, int.MaxValue);
        var builder = Parse(string.IsNullOrWhiteSpace(pathOrConnectionString) ? LedgerOptions.DefaultSqlitePath : pathOrConnectionString);
        _inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        if (_inMemory)
        {
            builder.DataSource = $"fraud-ledger-{Guid.NewGuid():N}";
            builder.Mode = SqliteOpenMode.Memory;
            builder.Cache = SqliteCacheMode.Shared;
        }
        else
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource);
            if (Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }
        }

        // The read sessions are the pool; connections closed are closed, so the file is let go at Dispose.
        builder.Pooling = false;
        builder.DefaultTimeout = _commandTimeout;
        _connectionString = builder.ConnectionString;
        DataSource = builder.DataSource;
        _readers = new SqliteReadSessions(OpenReader, options.MaxPoolSize);
    }

    public string Kind => "sqlite";

    /// <summary>The database file (full path), or the name of the in-memory database.</summary>
    public string DataSource { get; }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SqliteMigrations.Apply(Writer(), _commandTimeout);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_identity is not null)
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    CheckFileIdentity(force: true);
                }
                finally
                {
                    _writeLock.Release();
                }
            }

            return await ReadAsync(s => s.Connection.ExecuteScalar<long>("SELECT 1", commandTimeout: _commandTimeout) == 1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or LedgerFileLostException)
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

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            CheckFileIdentity(force: false);
            var insert = _insert ??= CreateInsert(connection);
            using var transaction = connection.BeginTransaction(deferred: false);
            insert.Transaction = transaction;
            var p = insert.Parameters;
            var inserted = 0;
            var counts = new Dictionary<StatsKey, long>();
            List<string>? anomalies = null;
            for (var i = 0; i < batch.Count; i++)
            {
                var row = batch[i] ?? throw new ArgumentException($"batch[{i}] is null", nameof(batch));
                p[0].Value = row.TransactionId;
                p[1].Value = row.AccountId;
                p[2].Value = (object?)row.MerchantId ?? DBNull.Value;
                p[3].Value = (object?)row.MerchantCategory ?? DBNull.Value;
                p[4].Value = (object?)row.Currency ?? DBNull.Value;
                p[5].Value = (object?)row.Country ?? DBNull.Value;
                p[6].Value = row.Channel is { } channel ? (long)channel : DBNull.Value;
                p[7].Value = (object?)row.DeviceId ?? DBNull.Value;
                p[8].Value = row.Latitude is { } latitude ? latitude : DBNull.Value;
                p[9].Value = row.Longitude is { } longitude ? longitude : DBNull.Value;
                p[10].Value = LedgerCodec.ToUnixMicroseconds(row.Timestamp);
                p[11].Value = row.Amount.ToString(CultureInfo.InvariantCulture);
                p[12].Value = row.Score;
                p[13].Value = (long)row.Severity;
                p[14].Value = (object?)ReasonsJson.Write(row.Reasons) ?? DBNull.Value;
                p[15].Value = row.ModelVersion;
                p[16].Value = LedgerCodec.ToUnixMicroseconds(row.ScoredAt);
                if (row is Anomaly anomaly)
                {
                    p[17].Value = 1L;
                    p[18].Value = (long)anomaly.Status;
                    p[19].Value = (object?)anomaly.ReviewedBy ?? DBNull.Value;
                    p[20].Value = anomaly.ReviewedAt is { } reviewedAt ? LedgerCodec.ToUnixMicroseconds(reviewedAt) : DBNull.Value;
                    p[21].Value = (object?)anomaly.Note ?? DBNull.Value;
                }
                else
                {
                    p[17].Value = 0L;
                    p[18].Value = DBNull.Value;
                    p[19].Value = DBNull.Value;
                    p[20].Value = DBNull.Value;
                    p[21].Value = DBNull.Value;
                }

                if (insert.ExecuteNonQuery() == 1)
                {
                    inserted++;
                    if (row is Anomaly)
                    {
                        (anomalies ??= []).Add(row.TransactionId);
                    }

                    var key = new StatsKey(StatsWindow.MinuteOf(row.ScoredAt), (int)row.Severity, StatsWindow.StatusOf(row), row.ModelVersion);
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }

            AddCounts(connection, transaction, counts);
            if (anomalies is not null)
            {
                // Case intake's inbox, in the same transaction as the anomalies.
                connection.Execute(
                    """
                    INSERT INTO case_inbox (transaction_id, account_id, transaction_time, score, severity, scored_at)
                    SELECT transaction_id, account_id, transaction_time, score, severity, scored_at
                      FROM scored_transactions WHERE transaction_id IN (SELECT value FROM json_each(@ids))
                    """,
                    new { ids = JsonArray(anomalies) },
                    transaction,
                    _commandTimeout);
            }

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            // After the commit too: rows that went to a file deleted or replaced meanwhile are not acknowledged.
            CheckFileIdentity(force: false);
            _checkpointer?.Committed();
            return inserted;
        }
        finally
        {
            if (_insert is not null)
            {
                _insert.Transaction = null;
            }

            if (_count is not null)
            {
                _count.Transaction = null;
            }

            _writeLock.Release();
        }
    }

    public Task<ScoredTransaction?> GetTransactionAsync(string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        return ReadAsync(s => ReadSingle(s, null, SelectById, transactionId), cancellationToken);
    }

    public Task<IReadOnlyList<ScoredTransaction>> GetTransactionsAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionIds);
        if (transactionIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ScoredTransaction>>([]);
        }

        // One statement whatever the count: SQLite probes the primary key once per id of the array.
        var ids = JsonArray(transactionIds);
        return ReadAsync<IReadOnlyList<ScoredTransaction>>(
            session =>
            {
                var command = session.Command($"{SelectRow} WHERE transaction_id IN (SELECT value FROM json_each(@ids))", _commandTimeout);
                command.Parameters.AddWithValue("@ids", ids);
                var rows = new List<ScoredTransaction>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add(LedgerCodec.ReadRow<Dialect>(reader));
                }

                return rows;
            },
            cancellationToken);
    }

    public async Task<Anomaly?> GetAnomalyAsync(string transactionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        return await ReadAsync(s => ReadSingle(s, null, SelectAnomalyById, transactionId), cancellationToken).ConfigureAwait(false) as Anomaly;
    }

    public Task<AnomalyPage> QueryAnomaliesAsync(AnomalyFilter filter, CancellationToken cancellationToken)
    {
        var severities = LedgerCodec.Check(filter);
        return ReadAsync(
            session =>
            {
                var parameters = new List<(string Name, object Value)>(8);
                // "is_anomaly = 1" verbatim: it is what lets SQLite use the partial indexes.
                var sql = new StringBuilder(SelectRow).Append(" WHERE is_anomaly = 1");
                if (severities is not null)
                {
                    sql.Append(" AND severity IN (");
                    for (var i = 0; i < severities.Length; i++)
                    {
                        sql.Append(i == 0 ? "@s" : ", @s").Append(i);
                        parameters.Add(($"@s{i}", (long)severities[i]));
                    }

                    sql.Append(')');
                }

                if (filter.Status is { } status)
                {
                    sql.Append(" AND status = @status");
                    parameters.Add(("@status", (long)status));
                }

                if (filter.AccountId is { } account)
                {
                    sql.Append(" AND account_id = @account");
                    parameters.Add(("@account", account));
                }

                if (filter.From is { } from)
                {
                    sql.Append(" AND transaction_time >= @from");
                    parameters.Add(("@from", LedgerCodec.ToUnixMicroseconds(LedgerCodec.CeilingToMicroseconds(from))));
                }

                if (filter.To is { } to)
                {
                    sql.Append(" AND transaction_time < @to");
                    parameters.Add(("@to", LedgerCodec.ToUnixMicroseconds(LedgerCodec.CeilingToMicroseconds(to))));
                }

                if (filter.MinScore is { } minScore)
                {
                    sql.Append(" AND score >= @min_score");
                    parameters.Add(("@min_score", minScore));
                }

                if (filter.After is { } after)
                {
                    sql.Append(" AND (transaction_time, transaction_id) < (@after_time, @after_id)");
                    parameters.Add(("@after_time", LedgerCodec.ToUnixMicroseconds(after.Timestamp)));
                    parameters.Add(("@after_id", after.TransactionId));
                }

                sql.Append(" ORDER BY transaction_time DESC, transaction_id DESC LIMIT @limit");
                parameters.Add(("@limit", (long)filter.Limit + 1));
                var command = session.Command(sql.ToString(), _commandTimeout);
                foreach (var (name, value) in parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                var rows = new List<Anomaly>(Math.Min(filter.Limit + 1, 1024));
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        rows.Add((Anomaly)LedgerCodec.ReadRow<Dialect>(reader));
                    }
                }

                return LedgerCodec.Page(rows, filter.Limit);
            },
            cancellationToken);
    }

    public async Task<ReviewResult> ReviewAsync(string transactionId, Review review, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        LedgerCodec.Check(review);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = WriterSession();
            var connection = session.Connection;
            using var transaction = connection.BeginTransaction(deferred: false);
            var current = ReadSingle(session, transaction, SelectAnomalyById, transactionId) as Anomaly;
            if (current is null)
            {
                return new ReviewResult(ReviewOutcome.NotFound, null);
            }

            if (ifMatch is not null && !AnomalyETag.Matches(ifMatch, current))
            {
                return new ReviewResult(ReviewOutcome.Conflict, current);
            }

            var updated = LedgerCodec.Apply(current, review);
            connection.Execute(
                "UPDATE scored_transactions SET status = @status, reviewed_by = @by, reviewed_at = @at, note = @note WHERE transaction_id = @id",
                new
                {
                    status = (long)updated.Status,
                    by = updated.ReviewedBy,
                    at = LedgerCodec.ToUnixMicroseconds(updated.ReviewedAt!.Value),
                    note = updated.Note,
                    id = transactionId,
                },
                transaction,
                _commandTimeout);
            connection.Execute(CaseSql.RecordAlertReview, CaseSql.ReviewParameters(transactionId, updated, Time), transaction, _commandTimeout);
            if (updated.Status != current.Status)
            {
                var minute = StatsWindow.MinuteOf(current.ScoredAt);
                AddCounts(connection, transaction, new Dictionary<StatsKey, long>
                {
                    [new StatsKey(minute, (int)current.Severity, (int)current.Status, current.ModelVersion)] = -1,
                    [new StatsKey(minute, (int)current.Severity, (int)updated.Status, current.ModelVersion)] = 1,
                });
            }

            transaction.Commit();
            return new ReviewResult(ReviewOutcome.Updated, updated);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<bool> RecordLabelAsync(FraudLabel label, DateTimeOffset labelledAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(label.TransactionId, nameof(label));
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Writer();
            using var transaction = connection.BeginTransaction(deferred: false);
            var updated = connection.Execute(
                """
                UPDATE scored_transactions
                   SET label = @isFraud, labelled_at = @labelledAt,
                       label_seq = (SELECT value + 1 FROM ledger_sequences WHERE name = 'label_seq')
                 WHERE transaction_id = @id AND label IS NOT @isFraud
                """,
                new { isFraud = label.IsFraud ? 1L : 0L, labelledAt = LedgerCodec.ToUnixMicroseconds(labelledAt), id = label.TransactionId },
                transaction,
                _commandTimeout);
            if (updated == 0)
            {
                // Unknown, or already carrying this label: a repeated verdict takes no new sequence number.
                return connection.ExecuteScalar<long>(
                    "SELECT EXISTS (SELECT 1 FROM scored_transactions WHERE transaction_id = @id)",
                    new { id = label.TransactionId }, transaction, _commandTimeout) != 0;
            }

            connection.Execute("UPDATE ledger_sequences SET value = value + 1 WHERE name = 'label_seq'", transaction: transaction, commandTimeout: _commandTimeout);
            transaction.Commit();
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<LabelRecord>> LabelsAfterAsync(long afterSequence, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return await ReadAsync<IReadOnlyList<LabelRecord>>(
            session => session.Connection.Query<LabelRow>(
                    LabelSql.After,
                    new { after = afterSequence, max = (long)max },
                    commandTimeout: _commandTimeout)
                .Select(r => new LabelRecord(
                    r.Sequence,
                    new FraudLabel(r.TransactionId, r.AccountId, r.MerchantId, LedgerCodec.FromUnixMicroseconds(r.TransactionTime), r.IsFraud != 0)))
                .ToList(),
            cancellationToken).ConfigureAwait(false);
    }

    public Task<long> LastLabelSequenceAsync(CancellationToken cancellationToken) =>
        ReadAsync(session => session.Connection.ExecuteScalar<long>(LabelSql.Last, commandTimeout: _commandTimeout), cancellationToken);

    public Task<LedgerStats> StatsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var window = StatsWindow.Of(from, to);
        return ReadAsync(
            session => StatsRow.Build(window.From, window.To, session.Connection.Query<StatsRow>(
                $"""
                SELECT severity AS Severity, status >= 0 AS IsAnomaly, nullif(status, -1) AS Status, model_version AS ModelVersion, sum(count) AS Count
                  FROM ledger_stats
                 WHERE {StatsWindow.RowsFilter}
                 GROUP BY severity, status, model_version
                HAVING sum(count) <> 0
                """,
                window.Parameters(LedgerCodec.ToUnixMicroseconds),
                commandTimeout: _commandTimeout)),
            cancellationToken);
    }

    public Task<LedgerActivity> ActivityAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var minute = LedgerCodec.ToUnixMicroseconds(StatsWindow.MinuteOf(now).AddMinutes(-1));
        return ReadAsync(
            session => new LedgerActivity(
                session.Connection.ExecuteScalar<long?>(
                    "SELECT sum(count) FROM ledger_stats WHERE span = 1 AND bucket = @minute", new { minute }, commandTimeout: _commandTimeout) ?? 0,
                session.Connection.ExecuteScalar<string?>(
                    "SELECT model_version FROM ledger_stats WHERE span = 1 AND count > 0 ORDER BY bucket DESC, count DESC LIMIT 1", commandTimeout: _commandTimeout)),
            cancellationToken);
    }

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var bound = LedgerCodec.ToUnixMicroseconds(LedgerCodec.CeilingToMicroseconds(cutoff));
        long total = 0;
        while (true)
        {
            // One chunk per transaction, releasing the write lock between chunks so batches keep flowing.
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            int deleted;
            try
            {
                var connection = Writer();
                using var transaction = connection.BeginTransaction(deferred: false);
                // The stats lose what is purged, in the same transaction: a window never counts rows that are gone.
                var chunk = new { cutoff = bound, chunk = (long)LedgerCodec.PurgeChunkRows };
                connection.Execute(
                    """
                    INSERT INTO ledger_stats (span, bucket, severity, status, model_version, count)
                    SELECT span, bucket, severity, status, model_version, -n FROM (
                        SELECT 1 AS span, scored_at - scored_at % 60000000 AS bucket, severity, coalesce(status, -1) AS status, model_version, count(*) AS n
                          FROM purged GROUP BY 2, 3, 4, 5
                        UNION ALL
                        SELECT 60, scored_at - scored_at % 3600000000, severity, coalesce(status, -1), model_version, count(*)
                          FROM purged GROUP BY 2, 3, 4, 5)
                     WHERE true
                    ON CONFLICT (span, bucket, severity, status, model_version) DO UPDATE SET count = count + excluded.count
                    """.Replace("purged", "(SELECT scored_at, severity, status, model_version FROM scored_transactions WHERE scored_at < @cutoff ORDER BY rowid LIMIT @chunk)", StringComparison.Ordinal),
                    chunk,
                    transaction,
                    _commandTimeout);
                deleted = connection.Execute(
                    "DELETE FROM scored_transactions WHERE rowid IN (SELECT rowid FROM scored_transactions WHERE scored_at < @cutoff ORDER BY rowid LIMIT @chunk)",
                    chunk,
                    transaction,
                    _commandTimeout);
                if (deleted == 0)
                {
                    // Counters that purges and reviews brought to zero, in buckets nothing will be written to again.
                    connection.Execute("DELETE FROM ledger_stats WHERE bucket < @cutoff AND count = 0", chunk, transaction, _commandTimeout);
                    foreach (var sql in new[] { CaseSql.PurgeEvents, CaseSql.PurgeCaseAlerts, CaseSql.PurgeCases, CaseSql.PurgeInbox, AlertFeatureSql.Purge })
                    {
                        connection.Execute(sql, chunk, transaction, _commandTimeout);
                    }
                }

                transaction.Commit();
            }
            finally
            {
                _writeLock.Release();
            }

            total += deleted;
            if (deleted == 0)
            {
                return total;
            }
        }
    }

    public void Dispose()
    {
        _writeLock.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            // Before the writer: the last connection to close checkpoints the whole log and removes it.
            _checkpointer?.Dispose();
            _readers.Dispose();
            _writerSession?.Dispose();
            _insert?.Dispose();
            _count?.Dispose();
            if (_writer is not null)
            {
                try
                {
                    _writer.Execute("PRAGMA optimize");
                }
                catch (SqliteException)
                {
                    // Best effort: statistics only.
                }

                _writer.Dispose();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The writer connection, opened on first use. Callers hold <see cref="_writeLock"/>.</summary>
    private SqliteConnection Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null)
        {
            return _writer;
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            connection.Execute(
                // A large page cache and memory-mapped reads keep the primary-key index in memory: without
                // them every insert pays read system calls, the writer's main cost at high rates.
                // The log is checkpointed off the commit path (SqliteCheckpointer); the writer's own automatic
                // checkpoint is only the bound on the log's size should that one fall behind.
                $"PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -131072; PRAGMA mmap_size = {MmapBytes}; PRAGMA wal_autocheckpoint = {AutoCheckpointPages};",
                commandTimeout: _commandTimeout);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _writer = connection;
        _writerSession = new SqliteReadSession(connection, ownsConnection: false);
        if (!_inMemory)
        {
            _identity = Identity(connection);
            _identityCheckedAt = Environment.TickCount64;
            // Opened now, while the writer holds the file: opened later, after the file was deleted, it
            // would create an empty one in its place.
            _checkpointer = new SqliteCheckpointer(OpenReader(), CheckpointInterval);
        }

        return connection;
    }

    /// <summary>
    /// A random token stored in the file when the writer first opens it. The writer's connection
    /// keeps writing to the file it opened even after that file is deleted or replaced, and every
    /// commit would be acknowledged and then gone at the next start. So before and after each commit
    /// the file must still be there (one stat), and at most every <see cref="IdentityCheckInterval"/>
    /// a connection of its own must find this token in it: a file replaced within that interval
    /// is the one case left, where commits of up to that long are acknowledged and lost.
    /// </summary>
    private static string Identity(SqliteConnection connection)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS ledger_identity (token TEXT NOT NULL)");
        if (connection.ExecuteScalar<string?>("SELECT token FROM ledger_identity LIMIT 1") is { } token)
        {
            return token;
        }

        var created = Guid.NewGuid().ToString("N");
        connection.Execute("INSERT INTO ledger_identity (token) VALUES (@created)", new { created });
        return created;
    }

    private const long IdentityCheckInterval = 250;

    private void CheckFileIdentity(bool force)
    {
        if (_identity is null)
        {
            return;
        }

        if (!File.Exists(DataSource))
        {
            throw new LedgerFileLostException(DataSource, "was deleted");
        }

        var now = Environment.TickCount64;
        if (!force && now - _identityCheckedAt < IdentityCheckInterval)
        {
            return;
        }

        string? token;
        try
        {
            using var probe = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DataSource, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
            probe.Open();
            token = probe.ExecuteScalar<string?>("SELECT token FROM ledger_identity LIMIT 1");
        }
        catch (SqliteException)
        {
            token = null;
        }

        if (token != _identity)
        {
            throw new LedgerFileLostException(DataSource, "was replaced by another file");
        }

        _identityCheckedAt = now;
    }

    /// <summary>The writer connection as a read session, for reads under <see cref="_writeLock"/>.</summary>
    private SqliteReadSession WriterSession()
    {
        Writer();
        return _writerSession!;
    }

    /// <summary>Adds counts to their minute rows and to the hour rows those minutes fall in.</summary>
    private void AddCounts(SqliteConnection connection, SqliteTransaction transaction, Dictionary<StatsKey, long> counts)
    {
        if (counts.Count == 0)
        {
            return;
        }

        var command = _count ??= CreateCount(connection);
        command.Transaction = transaction;
        var hours = new Dictionary<StatsKey, long>();
        foreach (var (key, count) in counts)
        {
            AddCount(command, StatsWindow.Minute, key, count);
            var hour = key with { Bucket = StatsWindow.HourOf(key.Bucket) };
            hours[hour] = hours.GetValueOrDefault(hour) + count;
        }

        foreach (var (key, count) in hours)
        {
            AddCount(command, StatsWindow.Hour, key, count);
        }
    }

    private static void AddCount(SqliteCommand command, int span, StatsKey key, long count)
    {
        var p = command.Parameters;
        p[0].Value = (long)span;
        p[1].Value = LedgerCodec.ToUnixMicroseconds(key.Bucket);
        p[2].Value = (long)key.Severity;
        p[3].Value = (long)key.Status;
        p[4].Value = key.ModelVersion;
        p[5].Value = count;
        command.ExecuteNonQuery();
    }

    private SqliteCommand CreateCount(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText =
            """
            INSERT INTO ledger_stats (span, bucket, severity, status, model_version, count) VALUES (@p0, @p1, @p2, @p3, @p4, @p5)
            ON CONFLICT (span, bucket, severity, status, model_version) DO UPDATE SET count = count + excluded.count
            """;
        command.CommandTimeout = _commandTimeout;
        for (var i = 0; i < 6; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", DBNull.Value));
        }

        command.Prepare();
        return command;
    }

    /// <summary>One stats counter: a bucket's start, severity, status (<see cref="StatsWindow.NotAnomaly"/> for none) and model.</summary>
    private readonly record struct StatsKey(DateTimeOffset Bucket, int Severity, int Status, string ModelVersion);

    private SqliteCommand CreateInsert(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = InsertSql;
        command.CommandTimeout = _commandTimeout;
        for (var i = 0; i < InsertParameters; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", DBNull.Value));
        }

        command.Prepare();
        return command;
    }

    /// <summary>
    /// Runs a read on a read session (WAL lets it run beside the writer); for an in-memory
    /// database, on the writer connection under the write lock.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<SqliteReadSession, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inMemory)
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return read(WriterSession());
            }
            finally
            {
                _writeLock.Release();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var session = _readers.Rent();
        T result;
        try
        {
            result = read(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        _readers.Return(session);
        return result;
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Microsoft.Data.Sqlite's own busy retry sleeps coarsely; SQLite's handler waits for the writer precisely.
            // No mmap_size here, unlike the writer: each reader mapping faults its pages in one by one, which
            // tripled the p99 of reads by id.
            connection.Execute($"PRAGMA busy_timeout = {_busyTimeoutMs};", commandTimeout: _commandTimeout);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string JsonArray(IReadOnlyCollection<string> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private ScoredTransaction? ReadSingle(SqliteReadSession session, SqliteTransaction? transaction, string sql, string transactionId)
    {
        var command = session.Command(sql, _commandTimeout);
        command.Transaction = transaction;
        command.Parameters.AddWithValue("@id", transactionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? LedgerCodec.ReadRow<Dialect>(reader) : null;
    }

    private static SqliteConnectionStringBuilder Parse(string pathOrConnectionString)
    {
        if (pathOrConnectionString.Contains('=', StringComparison.Ordinal))
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(pathOrConnectionString);
                if (!string.IsNullOrEmpty(builder.DataSource) || builder.Mode == SqliteOpenMode.Memory)
                {
                    return builder;
                }
            }
            catch (ArgumentException)
            {
                // Not a connection string: a path with '=' in it.
            }
        }

        return new SqliteConnectionStringBuilder { DataSource = pathOrConnectionString };
    }

    private sealed class Dialect : ILedgerDialect
    {
        public static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => LedgerCodec.FromUnixMicroseconds(reader.GetInt64(ordinal));

        public static decimal ReadAmount(DbDataReader reader, int ordinal) =>
            decimal.Parse(reader.GetString(ordinal), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
    }

    private sealed class LabelRow
    {
        public long Sequence { get; set; }
        public string TransactionId { get; set; } = string.Empty;
        public string AccountId { get; set; } = string.Empty;
        public string? MerchantId { get; set; }
        public long TransactionTime { get; set; }
        public long IsFraud { get; set; }
    }
}
