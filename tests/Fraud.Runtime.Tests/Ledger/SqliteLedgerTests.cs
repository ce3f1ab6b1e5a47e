using System.Data;
using Fraud.Contracts;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Ledger.Sqlite;
using Fraud.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fraud.Runtime.Tests.Ledger;

/// <summary>The ledger contract on a SQLite file.</summary>
public sealed class SqliteLedgerTests(TempDirectory directory) : LedgerContractTests, IClassFixture<TempDirectory>
{
    protected override string Database => directory.Combine("ledger.db");

    protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult(directory.Combine(Path.Combine($"fresh-{Guid.NewGuid():N}", "nested", "fraud.db")));

    protected override ILedger Create(string path) => new SqliteLedger(path, Options);

    protected override async Task ExecuteSqlAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Theory]
    [InlineData("was deleted")]
    [InlineData("was replaced")]
    public async Task A_ledger_file_deleted_or_replaced_while_running_refuses_further_commits_and_fails_its_ping(string what)
    {
        var path = directory.Combine(Path.Combine($"lost-{Guid.NewGuid():N}", "fraud.db"));
        using var ledger = new SqliteLedger(path, Options);
        await ledger.MigrateAsync(CancellationToken.None);
        Assert.Equal(1, await ledger.WriteAsync([Plain(Id("before"), "acc", At(2039))], CancellationToken.None));
        Assert.True(await ledger.PingAsync(CancellationToken.None));

        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }

        if (what == "was replaced")
        {
            using var other = new SqliteLedger(path, Options);
            await other.MigrateAsync(CancellationToken.None);
            Assert.Equal(1, await other.WriteAsync([Plain(Id("other"), "acc", At(2039))], CancellationToken.None));
            await Task.Delay(300); // past the interval between two identity checks
        }

        var error = await Assert.ThrowsAsync<LedgerFileLostException>(() => ledger.WriteAsync([Plain(Id("after"), "acc", At(2039))], CancellationToken.None));
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.False(await ledger.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_outage_of_the_ledger_is_logged_once_per_interval_not_once_per_failed_commit()
    {
        var path = directory.Combine(Path.Combine($"outage-{Guid.NewGuid():N}", "fraud.db"));
        using var ledger = new SqliteLedger(path, Options);
        await ledger.MigrateAsync(CancellationToken.None);
        var log = new RecordingLogger<LedgerWriter>();
        var writer = new LedgerWriter(ledger, Microsoft.Extensions.Options.Options.Create(Options), log);
        await writer.StartAsync(CancellationToken.None);
        await writer.WriteAsync([Plain(Id("ok"), "acc", At(2039))], CancellationToken.None);
        File.Delete(path);

        for (var i = 0; i < 30; i++)
        {
            await Assert.ThrowsAsync<LedgerFileLostException>(() => writer.WriteAsync([Plain(Id($"lost-{i}"), "acc", At(2039))], CancellationToken.None));
        }

        await writer.StopAsync(CancellationToken.None);
        await writer.StoppedAsync(CancellationToken.None);
        var error = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("was deleted", error.Message, StringComparison.Ordinal);
        Assert.NotNull(writer.RecentFailure);
    }

    /// <summary>Keeps what a component logs, to count it.</summary>
    private sealed class RecordingLogger<T> : ILogger<T>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception) + " " + exception?.Message));
            }
        }
    }

    [Fact]
    public async Task Committed_rows_reach_the_database_file_itself_while_the_ledger_runs_not_only_its_log()
    {
        var path = directory.Combine(Path.Combine($"checkpoint-{Guid.NewGuid():N}", "fraud.db"));
        using var ledger = new SqliteLedger(path, Options);
        await ledger.MigrateAsync(CancellationToken.None);
        Assert.Equal(1, await ledger.WriteAsync([Plain(Id("checkpointed"), "acc", At(2039))], CancellationToken.None));

        // A copy of the file without its log holds only what a checkpoint has moved into it. The
        // writer's own checkpoint waits for a log of 20,000 pages, so only the background one can.
        var copy = path + ".copy";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long rows = 0;
        while (rows == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            rows = CountRowsOfCopy(path, copy);
        }

        Assert.Equal(1, rows);
    }

    private static long CountRowsOfCopy(string path, string copy)
    {
        File.Copy(path, copy, overwrite: true);
        foreach (var log in new[] { copy + "-wal", copy + "-shm" }.Where(File.Exists))
        {
            File.Delete(log);
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM scored_transactions";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // No table yet, or a copy taken while a checkpoint was writing: look again.
        }
    }

    [Fact]
    public async Task A_bare_path_gets_its_directory_and_a_WAL_journal_and_a_connection_string_works_too()
    {
        var path = directory.Combine(Path.Combine($"bare-{Guid.NewGuid():N}", "data", "fraud.db"));
        using (var ledger = new SqliteLedger(path, Options))
        {
            await ledger.MigrateAsync(CancellationToken.None);
            Assert.Equal(1, await ledger.WriteAsync([Plain(Id("bare"), "acc", At(2039))], CancellationToken.None));
            Assert.Equal(Path.GetFullPath(path), ledger.DataSource);
        }

        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", command.ExecuteScalar() as string);
        }

        using var again = new SqliteLedger($"Data Source={path};Cache=Private", Options);
        await again.MigrateAsync(CancellationToken.None);
        Assert.NotNull(await again.GetTransactionAsync(Id("bare"), CancellationToken.None));
    }

    [Fact]
    public async Task An_in_memory_database_works_for_quick_runs()
    {
        using var ledger = new SqliteLedger(":memory:", Options);
        await ledger.MigrateAsync(CancellationToken.None);
        var row = OpenAnomaly(Id("mem"), "acc", At(2039));
        Assert.Equal(1, await ledger.WriteAsync([row], CancellationToken.None));
        Assert.Equal(Json(Stored(row)), Json(await ledger.GetTransactionAsync(row.TransactionId, CancellationToken.None)));
        Assert.Single((await ledger.QueryAnomaliesAsync(new AnomalyFilter(From: At(2039)), CancellationToken.None)).Items);
        Assert.True(await ledger.PingAsync(CancellationToken.None));

        // A review reads the row inside its transaction with the statement plain reads share afterwards.
        var review = await ledger.ReviewAsync(row.TransactionId, new Review(AnomalyStatus.Dismissed, "ann", At(2039).AddHours(1), null), null, CancellationToken.None);
        Assert.Equal(ReviewOutcome.Updated, review.Outcome);
        Assert.Equal(AnomalyStatus.Dismissed, (await ledger.GetAnomalyAsync(row.TransactionId, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task Reads_keep_a_session_open_between_them_and_Dispose_lets_the_file_go()
    {
        var path = directory.Combine($"sessions-{Guid.NewGuid():N}.db");
        using (var ledger = new SqliteLedger(path, new LedgerOptions { MaxPoolSize = 2 }))
        {
            await ledger.MigrateAsync(CancellationToken.None);
            var row = OpenAnomaly(Id("s"), "acc", At(2040));
            await ledger.WriteAsync([row], CancellationToken.None);
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(row.TransactionId, (await ledger.GetAnomalyAsync(row.TransactionId, CancellationToken.None))?.TransactionId);
                Assert.Null(await ledger.GetAnomalyAsync(Id("missing"), CancellationToken.None));
            }

            Assert.Equal(3, OpenHandles(path)); // the writer, its checkpointer and one read session
        }

        Assert.Equal(0, OpenHandles(path));
    }

    [Fact]
    public void Read_sessions_beyond_the_idle_cap_are_closed_and_idle_ones_are_reused()
    {
        var path = directory.Combine($"pool-{Guid.NewGuid():N}.db");
        var opened = new List<SqliteConnection>();
        var sessions = new SqliteReadSessions(
            () =>
            {
                var connection = new SqliteConnection($"Data Source={path};Pooling=False");
                connection.Open();
                opened.Add(connection);
                return connection;
            },
            maxIdle: 2);

        var rented = Enumerable.Range(0, 5).Select(_ => sessions.Rent()).ToList();
        rented.ForEach(sessions.Return);
        Assert.Equal(5, opened.Count);
        Assert.Equal(2, opened.Count(c => c.State == ConnectionState.Open));

        var again = sessions.Rent();
        Assert.Equal(5, opened.Count);
        Assert.Equal(ConnectionState.Open, again.Connection.State);

        sessions.Dispose();
        Assert.Equal(1, opened.Count(c => c.State == ConnectionState.Open));
        sessions.Return(again);
        Assert.All(opened, c => Assert.Equal(ConnectionState.Closed, c.State));
        Assert.Throws<ObjectDisposedException>(() => sessions.Rent());
    }

    /// <summary>This process's file descriptors open on the database file.</summary>
    private static int OpenHandles(string path)
    {
        var full = Path.GetFullPath(path);
        return new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd => fd.LinkTarget == full);
    }
}
