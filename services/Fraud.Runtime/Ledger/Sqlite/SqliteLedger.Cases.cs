using Dapper;
using Fraud.Contracts;
using Microsoft.Data.Sqlite;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>The case record (<see cref="ICaseLedger"/>), with the statements both ledgers share (<see cref="CaseSql"/>).</summary>
public sealed partial class SqliteLedger
{
    private readonly List<QueuedCaseSave> _caseSaves = [];

    private static object Time(DateTimeOffset value) => LedgerCodec.ToUnixMicroseconds(value);

    public Task<IReadOnlyList<UncasedAlert>> UncasedAlertsAsync(int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<UncasedAlert>>(
            s => [.. CaseSql.Rows<CaseSql.AlertRow>(s.Connection, CaseSql.UncasedAlerts, new { max }, null, _commandTimeout).Select(r => r.ToAlert())],
            cancellationToken);

    public Task<long> CountUncasedAlertsAsync(CancellationToken cancellationToken) =>
        ReadAsync(s => s.Connection.ExecuteScalar<long>(CaseSql.CountUncased, commandTimeout: _commandTimeout), cancellationToken);

    public Task<Case?> GetCaseAsync(string caseId, CancellationToken cancellationToken) =>
        SingleCaseAsync($"{CaseSql.SelectCase} WHERE case_id = @id", new { id = caseId }, cancellationToken);

    public Task<Case?> OpenCaseOfAsync(string accountId, CancellationToken cancellationToken) =>
        SingleCaseAsync($"{CaseSql.SelectCase} WHERE account_id = @account AND status = 0", new { account = accountId }, cancellationToken);

    public Task<int> LastCaseNumberAsync(string accountId, CancellationToken cancellationToken) =>
        ReadAsync(s => s.Connection.ExecuteScalar<int>(CaseSql.LastCaseNumber, new { account = accountId }, commandTimeout: _commandTimeout), cancellationToken);

    public Task<CasePage> QueryCasesAsync(CaseFilter filter, CancellationToken cancellationToken)
    {
        var (sql, parameters) = CaseSql.Query(filter, Time, postgres: false);
        return ReadAsync(s => CaseSql.Page([.. CaseSql.Rows<CaseSql.CaseRow>(s.Connection, sql, parameters, null, _commandTimeout).Select(r => r.ToCase())], filter.Limit), cancellationToken);
    }

    public Task<IReadOnlyList<CaseEvent>> CaseHistoryAsync(string caseId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<CaseEvent>>(
            s => [.. CaseSql.Rows<CaseSql.EventRow>(s.Connection, CaseSql.History, new { id = caseId }, null, _commandTimeout).Select(r => r.ToEvent())],
            cancellationToken);

    public async Task<IReadOnlyList<Anomaly>> CaseAlertsAsync(string caseId, int max, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(
            $"{SelectRow} {CaseSql.AlertsOfCase}", new { @case = caseId, max = (long)max }, cancellationToken).ConfigureAwait(false);
        return [.. rows.OfType<Anomaly>()];
    }

    public Task<IReadOnlyList<ScoredTransaction>> AccountTransactionsAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken) =>
        RowsAsync(
            $"{SelectRow} WHERE account_id = @account AND transaction_time >= @from AND transaction_time < @to ORDER BY transaction_time DESC, transaction_id DESC LIMIT @max",
            new
            {
                account = accountId,
                from = LedgerCodec.ToUnixMicroseconds(LedgerCodec.CeilingToMicroseconds(from)),
                to = LedgerCodec.ToUnixMicroseconds(LedgerCodec.CeilingToMicroseconds(to)),
                max = (long)max,
            },
            cancellationToken);

    public Task<IReadOnlyList<Case>> DueCasesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Case>>(
            s => [.. CaseSql.Rows<CaseSql.CaseRow>(s.Connection, CaseSql.DueCases, new { now = Time(now), max }, null, _commandTimeout).Select(r => r.ToCase())],
            cancellationToken);

    /// <summary>
    /// Saves wait for the one writer together: whoever takes the write lock saves every change queued
    /// by then in one transaction, each in a savepoint of its own (so one refused change leaves the
    /// others). Case intake files up to eight accounts at once, and a commit each (an fsync each, at
    /// <c>synchronous=FULL</c>) made it compete with the group commit of scored transactions.
    /// </summary>
    public async Task<bool> SaveCaseAsync(CaseChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var save = new QueuedCaseSave(change);
        lock (_caseSaves)
        {
            _caseSaves.Add(save);
        }

        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_caseSaves)
            {
                // Still queued: never saved. Taken by a writer already: its outcome stands.
                if (_caseSaves.Remove(save))
                {
                    throw;
                }
            }

            return await save.Done.Task.ConfigureAwait(false);
        }

        try
        {
            SaveQueuedCases();
        }
        finally
        {
            _writeLock.Release();
        }

        return await save.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Under the write lock: every queued change, one transaction.</summary>
    private void SaveQueuedCases()
    {
        QueuedCaseSave[] batch;
        lock (_caseSaves)
        {
            batch = [.. _caseSaves];
            _caseSaves.Clear();
        }

        if (batch.Length == 0)
        {
            return;
        }

        var saved = new bool[batch.Length];
        try
        {
            var connection = Writer();
            using var transaction = connection.BeginTransaction(deferred: false);
            for (var i = 0; i < batch.Length; i++)
            {
                transaction.Save("case_save");
                saved[i] = TrySaveCase(connection, transaction, batch[i].Change);
                if (saved[i])
                {
                    transaction.Release("case_save");
                }
                else
                {
                    transaction.Rollback("case_save");
                    transaction.Release("case_save");
                }
            }

            transaction.Commit();
        }
        catch (Exception e)
        {
            foreach (var save in batch)
            {
                save.Done.TrySetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Length; i++)
        {
            batch[i].Done.TrySetResult(saved[i]);
        }
    }

    private bool TrySaveCase(SqliteConnection connection, SqliteTransaction transaction, CaseChange change)
    {
        if (connection.Execute(change.ExpectedVersion == 0 ? CaseSql.Insert : CaseSql.Update, CaseSql.Parameters(change.Case, change.ExpectedVersion, Time), transaction, _commandTimeout) != 1)
        {
            return false;
        }

        if (change.FileAlerts.Count > 0)
        {
            if (connection.Execute(CaseSql.In(CaseSql.TakeFromInbox, postgres: false), new { ids = change.FileAlerts }, transaction, _commandTimeout) != change.FileAlerts.Count)
            {
                return false;
            }

            connection.Execute(CaseSql.FileAlert, change.FileAlerts.Select(id => new { id, @case = change.Case.CaseId }), transaction, _commandTimeout);
        }

        connection.Execute(CaseSql.InsertEvent, change.Events.Select(e => CaseSql.Parameters(e, Time)), transaction, _commandTimeout);
        return true;
    }

    private sealed class QueuedCaseSave(CaseChange change)
    {
        public CaseChange Change { get; } = change;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<bool> TryHoldLeaseAsync(string name, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Writer().Execute(CaseSql.HoldLease, new { name, holder, now = Time(now), until = Time(until) }, commandTimeout: _commandTimeout) == 1;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task<Case?> SingleCaseAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        ReadAsync(s => CaseSql.Rows<CaseSql.CaseRow>(s.Connection, sql, parameters, null, _commandTimeout).SingleOrDefault()?.ToCase(), cancellationToken);

    private Task<IReadOnlyList<ScoredTransaction>> RowsAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ScoredTransaction>>(
            s =>
            {
                using var reader = s.Connection.ExecuteReader(sql, parameters, commandTimeout: _commandTimeout);
                var rows = new List<ScoredTransaction>();
                while (reader.Read())
                {
                    rows.Add(LedgerCodec.ReadRow<Dialect>((System.Data.Common.DbDataReader)reader));
                }

                return rows;
            },
            cancellationToken);
}
