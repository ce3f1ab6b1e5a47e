namespace Fraud.Runtime.Ledger;

/// <summary>Section <c>Fraud:Ledger</c>. Validated at start-up.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Fraud:Ledger";

    /// <summary>
    /// A PostgreSQL connection string (<c>Host=…;Database=…</c>), or a SQLite file path (or
    /// <c>Data Source=…</c>). Empty: the embedded default <c>./data/fraud.db</c>; required in Dapr mode.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Most connections each replica opens (Npgsql's <c>Maximum Pool Size</c>); for SQLite, the
    /// read connections kept open between reads.
    /// </summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Most rows per group commit.</summary>
    public int MaxBatchRows { get; set; } = 5_000;

    /// <summary>Rows waiting for a commit at most; writers wait beyond it (backpressure).</summary>
    public int MaxPendingRows { get; set; } = 100_000;

    /// <summary>
    /// Scored transactions (and their reviews) older than this are purged at start and hourly; zero
    /// keeps everything. Thirty days by default, so that a ledger left running does not fill its disk.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public const string DefaultSqlitePath = "data/fraud.db";

    /// <summary>True when the connection string names a PostgreSQL server rather than a SQLite file.</summary>
    public static bool IsPostgres(string? connectionString) =>
        connectionString is not null
        && (connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase)
            || connectionString.Contains("Server=", StringComparison.OrdinalIgnoreCase));

    public void Validate()
    {
        if (MaxPoolSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPoolSize), MaxPoolSize, "must be in [1, 1000]");
        }

        if (MaxBatchRows is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchRows), MaxBatchRows, "must be in [1, 100000]");
        }

        if (MaxPendingRows < MaxBatchRows)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingRows), MaxPendingRows, "must be at least MaxBatchRows");
        }

        if (Retention < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), Retention, "must not be negative (zero keeps everything)");
        }

        if (CommandTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CommandTimeout), CommandTimeout, "must be positive");
        }
    }
}
