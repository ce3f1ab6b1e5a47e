using Dapper;
using Fraud.Contracts;
using Npgsql;

namespace Fraud.Runtime.Ledger.Postgres;

/// <summary>The case record (<see cref="ICaseLedger"/>), with the statements both ledgers share (<see cref="CaseSql"/>).</summary>
public sealed partial class PostgresLedger
{
    private static object Time(DateTimeOffset value) => LedgerCodec.UtcMicroseconds(value);

    public async Task<IReadOnlyList<UncasedAlert>> UncasedAlertsAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CaseSql.AlertRow>(Definition(CaseSql.UncasedAlerts, new { max }, cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToAlert())];
    }

    public async Task<long> CountUncasedAlertsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(Definition(CaseSql.CountUncased, null, cancellationToken)).ConfigureAwait(false);
    }

    public Task<Case?> GetCaseAsync(string caseId, CancellationToken cancellationToken) =>
        SingleCaseAsync($"{CaseSql.SelectCase} WHERE case_id = @id", new { id = caseId }, cancellationToken);

    public Task<Case?> OpenCaseOfAsync(string accountId, CancellationToken cancellationToken) =>
        SingleCaseAsync($"{CaseSql.SelectCase} WHERE account_id = @account AND status = 0", new { account = accountId }, cancellationToken);

    public async Task<int> LastCaseNumberAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int>(Definition(CaseSql.LastCaseNumber, new { account = accountId }, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<CasePage> QueryCasesAsync(CaseFilter filter, CancellationToken cancellationToken)
    {
        var (sql, parameters) = CaseSql.Query(filter, Time, postgres: true);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CaseSql.CaseRow>(Definition(sql, parameters, cancellationToken)).ConfigureAwait(false);
        return CaseSql.Page([.. rows.Select(r => r.ToCase())], filter.Limit);
    }

    public async Task<IReadOnlyList<CaseEvent>> CaseHistoryAsync(string caseId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CaseSql.EventRow>(Definition(CaseSql.History, new { id = caseId }, cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToEvent())];
    }

    public async Task<IReadOnlyList<Anomaly>> CaseAlertsAsync(string caseId, int max, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync($"{SelectRow} {CaseSql.AlertsOfCase}", cancellationToken,
            new NpgsqlParameter<string>("case", caseId), new NpgsqlParameter<int>("max", max)).ConfigureAwait(false);
        return [.. rows.OfType<Anomaly>()];
    }

    public Task<IReadOnlyList<ScoredTransaction>> AccountTransactionsAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken) =>
        RowsAsync(
            $"{SelectRow} WHERE account_id = @account AND transaction_time >= @from AND transaction_time < @to ORDER BY transaction_time DESC, transaction_id DESC LIMIT @max",
            cancellationToken,
            new NpgsqlParameter<string>("account", accountId),
            new NpgsqlParameter<DateTime>("from", LedgerCodec.CeilingToMicroseconds(from).UtcDateTime) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<DateTime>("to", LedgerCodec.CeilingToMicroseconds(to).UtcDateTime) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<int>("max", max));

    public async Task<IReadOnlyList<Case>> DueCasesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CaseSql.CaseRow>(Definition(CaseSql.DueCases, new { now = Time(now), max }, cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToCase())];
    }

    public async Task<bool> SaveCaseAsync(CaseChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (change.FileAlerts.Count > 0)
        {
            // A filing need not wait for its WAL flush: lost in a crash, it is lost whole (the inbox
            // rows with it) and intake files the same alerts again. Analysts' changes stay synchronous.
            await connection.ExecuteAsync(new CommandDefinition(
                "SET LOCAL synchronous_commit = off", transaction: transaction, commandTimeout: _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var saved = await connection.ExecuteAsync(new CommandDefinition(
            change.ExpectedVersion == 0 ? CaseSql.Insert : CaseSql.Update,
            CaseSql.Parameters(change.Case, change.ExpectedVersion, Time),
            transaction,
            _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (saved != 1)
        {
            return false;
        }

        if (change.FileAlerts.Count > 0)
        {
            var ids = change.FileAlerts.ToArray();
            var taken = await connection.ExecuteAsync(new CommandDefinition(
                CaseSql.In(CaseSql.TakeFromInbox, postgres: true), new { ids }, transaction, _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (taken != ids.Length)
            {
                return false;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO case_alerts (transaction_id, case_id) SELECT unnest(@ids), @case", new { ids, @case = change.Case.CaseId }, transaction, _commandTimeout, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
        }

        if (change.Events.Count > 0)
        {
            // One statement for all of them (a filing of a burst has one per alert).
            var events = change.Events;
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO case_events (case_id, at, by_name, kind, transaction_id, value, note)
                SELECT * FROM unnest(@caseIds, @ats, @bys, @kinds, @transactionIds, @values, @notes)
                """,
                new
                {
                    caseIds = events.Select(e => e.CaseId).ToArray(),
                    ats = events.Select(e => LedgerCodec.UtcMicroseconds(e.At)).ToArray(),
                    bys = events.Select(e => e.By).ToArray(),
                    kinds = events.Select(e => (short)e.Kind).ToArray(),
                    transactionIds = events.Select(e => e.TransactionId).ToArray(),
                    values = events.Select(e => e.Value).ToArray(),
                    notes = events.Select(e => e.Note).ToArray(),
                },
                transaction,
                _commandTimeout,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> TryHoldLeaseAsync(string name, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(Definition(CaseSql.HoldLease, new { name, holder, now = Time(now), until = Time(until) }, cancellationToken)).ConfigureAwait(false) == 1;
    }

    private async Task<Case?> SingleCaseAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<CaseSql.CaseRow>(Definition(sql, parameters, cancellationToken)).ConfigureAwait(false);
        return row?.ToCase();
    }

    private async Task<IReadOnlyList<ScoredTransaction>> RowsAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(sql, connection);
        command.Parameters.AddRange(parameters);
        var rows = new List<ScoredTransaction>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(LedgerCodec.ReadRow<Dialect>(reader));
        }

        return rows;
    }

    private CommandDefinition Definition(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, commandTimeout: _commandTimeout, cancellationToken: cancellationToken);
}
