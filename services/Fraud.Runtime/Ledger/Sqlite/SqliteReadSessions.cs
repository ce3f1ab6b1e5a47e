using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>
/// An open read connection with the statements it has prepared. Used by one read at a time.
/// </summary>
/// <remarks>
/// On a lookup by id, opening a pooled connection, setting its busy timeout and parsing the SQL
/// cost more than the read itself; a session pays them once.
/// </remarks>
internal sealed class SqliteReadSession(SqliteConnection connection, bool ownsConnection) : IDisposable
{
    // Statements differ only by the filters a list request combines; past this many, start over.
    private const int MaxStatements = 64;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The command for <paramref name="sql"/>, prepared on first use, without parameters or transaction; owned by the session.</summary>
    public SqliteCommand Command(string sql, int commandTimeout)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            command.Transaction = null;
            return command;
        }

        if (_commands.Count >= MaxStatements)
        {
            DisposeCommands();
        }

        command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = commandTimeout;
        _commands.Add(sql, command);
        return command;
    }

    public void Dispose()
    {
        DisposeCommands();
        if (ownsConnection)
        {
            connection.Dispose();
        }
    }

    private void DisposeCommands()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}

/// <summary>
/// Read sessions kept open for reuse, at most <c>maxIdle</c> of them; a read finding none idle
/// opens its own, closed after use when the pool is full.
/// </summary>
internal sealed class SqliteReadSessions(Func<SqliteConnection> open, int maxIdle) : IDisposable
{
    private readonly ConcurrentQueue<SqliteReadSession> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        return new SqliteReadSession(open(), ownsConnection: true);
    }

    public void Return(SqliteReadSession session)
    {
        if (_disposed)
        {
            session.Dispose();
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }

        _idle.Enqueue(session);
        if (_disposed)
        {
            // Dispose may have drained the queue before this session arrived.
            DisposeIdle();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryDequeue(out var session))
        {
            session.Dispose();
        }
    }
}
