using Dapper;
using Microsoft.Data.Sqlite;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>
/// Copies the write-ahead log's committed pages into the database file on a connection of its own,
/// at most once per interval, instead of in the writer's commit.
/// </summary>
/// <remarks>
/// SQLite's default checkpoints after any commit that leaves more than 1,000 pages in the log, in
/// the committing connection. Each group commit of scored transactions dirties a few thousand pages
/// of the random-order indexes (the primary key, the account index), so every commit also paid a
/// checkpoint, and a page changed by several commits was written into the file once per commit.
/// A passive checkpoint never blocks the writer and is never blocked by it; pages changed between
/// two checkpoints reach the file once. The writer keeps an automatic checkpoint at a much larger
/// log (<see cref="SqliteLedger"/>), so the log stays bounded if this one falls behind or fails.
/// Measured in bench/RESULTS.md ("Checkpoints off the commit path").
/// </remarks>
internal sealed class SqliteCheckpointer : IDisposable
{
    private readonly SemaphoreSlim _committed = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="connection">A connection of its own to the ledger's file, which the checkpointer owns.</param>
    public SqliteCheckpointer(SqliteConnection connection, TimeSpan interval)
    {
        _loop = Task.Run(() => RunAsync(connection, interval));
    }

    /// <summary>Says that the writer committed: the next checkpoint has work.</summary>
    public void Committed()
    {
        if (_committed.CurrentCount > 0)
        {
            return;
        }

        try
        {
            _committed.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already told since the last checkpoint.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _committed.Dispose();
    }

    private async Task RunAsync(SqliteConnection connection, TimeSpan interval)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await _committed.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    connection.Execute("PRAGMA wal_checkpoint(PASSIVE)");
                }
                catch (SqliteException)
                {
                    // The writer's own automatic checkpoint stays as the fallback; try again after the next commit.
                }

                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            connection.Dispose();
        }
    }
}
