using System.Text.Json;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Ledger.Postgres;
using Fraud.TestSupport;
using Npgsql;

namespace Fraud.Runtime.Tests.Ledger;

/// <summary>The ledger contract on PostgreSQL (see <see cref="PostgresServer"/> for where the server comes from).</summary>
public sealed class PostgresLedgerTests(PostgresDatabase database) : LedgerContractTests, IClassFixture<PostgresDatabase>
{
    private readonly List<string> _freshDatabases = [];

    protected override string Database => database.ConnectionString;

    protected override async Task<string> NewDatabaseAsync()
    {
        var connectionString = await database.Server.CreateDatabaseAsync("ledger_fresh");
        _freshDatabases.Add(connectionString);
        return connectionString;
    }

    protected override ILedger Create(string connectionString) => new PostgresLedger(connectionString, Options);

    protected override async Task ExecuteSqlAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var fresh in _freshDatabases)
        {
            await database.Server.DropDatabaseAsync(fresh);
        }
    }

    [Fact]
    public async Task Reasons_are_a_jsonb_array_in_the_events_shape_and_migrations_are_recorded_once()
    {
        var row = Plain(Id("json"), "acc", At(2039));
        await Ledger.WriteAsync([row], CancellationToken.None);

        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT jsonb_typeof(reasons), reasons::text, (SELECT count(*) FROM schema_migrations), (SELECT count(DISTINCT version) FROM schema_migrations) FROM scored_transactions WHERE transaction_id = @id",
            connection);
        command.Parameters.AddWithValue("id", row.TransactionId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("array", reader.GetString(0));
        var reason = JsonDocument.Parse(reader.GetString(1)).RootElement[0];
        Assert.Equal("amount_z", reason.GetProperty("code").GetString());
        Assert.Equal("amount close to usual", reason.GetProperty("detail").GetString());
        Assert.Equal(0.1, reason.GetProperty("weight").GetDouble());
        Assert.Equal(reader.GetInt64(3), reader.GetInt64(2));
    }

    [Fact]
    public async Task Ping_is_false_when_the_server_does_not_answer()
    {
        await using var ledger = new PostgresLedger("Host=127.0.0.1;Port=1;Username=x;Timeout=2", Options);
        Assert.False(await ledger.PingAsync(CancellationToken.None));
    }
}
