using Fraud.Runtime.Ledger;
using Fraud.Runtime.Ledger.Sqlite;
using Fraud.TestSupport;
using Microsoft.Data.Sqlite;

namespace Fraud.Runtime.Tests.Ledger;

/// <summary>The ledger contract on a SQLite file.</summary>
public sealed class SqliteLedgerTests(TempDirectory directory) : LedgerContractTests, IClassFixture<TempDirectory>
{
    protected override string Database => directory.Combine("ledger.db");

    protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult(directory.Combine(Path.Combine($"fresh-{Guid.NewGuid():N}", "nested", "fraud.db")));

    protected override ILedger Create(string path) => new SqliteLedger(path, Options);

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
    }
}
