using Fraud.Runtime.Ledger.Postgres;
using Fraud.Runtime.Ledger.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Ledger;

/// <summary>Chooses the ledger from the connection string: PostgreSQL for <c>Host=…</c>, otherwise a SQLite file.</summary>
public static class LedgerFactory
{
    public static ILedger Create(LedgerOptions options, RuntimeMode mode)
    {
        var connection = options.ConnectionString;
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (mode == RuntimeMode.Dapr)
            {
                throw new OptionsValidationException(LedgerOptions.Section, typeof(LedgerOptions),
                    ["Fraud:Ledger:ConnectionString is required in Dapr mode (a PostgreSQL connection string, e.g. from a Kubernetes secret as Fraud__Ledger__ConnectionString)."]);
            }

            connection = LedgerOptions.DefaultSqlitePath;
        }

        return LedgerOptions.IsPostgres(connection)
            ? new PostgresLedger(connection, options)
            : new SqliteLedger(connection, options);
    }
}

/// <summary>
/// Applies the schema before the service takes traffic (hosted services start before Kestrel
/// listens), retrying while the database comes up, and fails start-up with a clear message if it never does.
/// </summary>
public sealed class LedgerMigration(ILedger ledger, ILogger<LedgerMigration> logger) : IHostedService
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Patience;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ledger.MigrateAsync(cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Ledger ({Kind}) schema is current", ledger.Kind);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && DateTime.UtcNow < deadline)
            {
                logger.LogWarning("Ledger ({Kind}) not ready (attempt {Attempt}): {Message}", ledger.Kind, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"The {ledger.Kind} ledger could not be prepared within {Patience.TotalSeconds:0} s: {e.Message}. Check Fraud:Ledger:ConnectionString.", e);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Deletes scored transactions older than <see cref="LedgerOptions.Retention"/> at start, then once an hour.</summary>
public sealed class LedgerRetention(ILedger ledger, IOptions<LedgerOptions> options, TimeProvider time, ILogger<LedgerRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.Retention;
        if (retention <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        try
        {
            await PurgeLoopAsync(timer, retention, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
    }

    private async Task PurgeLoopAsync(PeriodicTimer timer, TimeSpan retention, CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                var purged = await ledger.PurgeAsync(time.GetUtcNow() - retention, stoppingToken).ConfigureAwait(false);
                if (purged > 0)
                {
                    logger.LogInformation("Purged {Count} scored transactions older than {Retention}", purged, retention);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Ledger retention failed; retrying in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
