using Dapper;
using Microsoft.Data.Sqlite;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>
/// The SQLite ledger's schema, as numbered migrations recorded in <c>schema_migrations</c>. Each runs
/// in its own <c>BEGIN IMMEDIATE</c> transaction (SQLite's one writer lock serialises processes) and
/// checks under it that it is still pending. Append new migrations; never edit one that has shipped.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            -- Every scored transaction, its review (anomalies only) and its label. Same columns and
            -- meaning as the PostgreSQL ledger; times are INTEGER microseconds since the Unix epoch
            -- (UTC), amounts exact decimal TEXT, reasons a JSON array (NULL when none).
            CREATE TABLE scored_transactions (
                transaction_id    TEXT NOT NULL PRIMARY KEY,
                account_id        TEXT NOT NULL,
                merchant_id       TEXT,
                merchant_category TEXT,
                currency          TEXT,
                country           TEXT,
                channel           INTEGER,
                device_id         TEXT,
                latitude          REAL,
                longitude         REAL,
                transaction_time  INTEGER NOT NULL,
                amount            TEXT NOT NULL,
                score             REAL NOT NULL,
                severity          INTEGER NOT NULL,
                reasons           TEXT,
                model_version     TEXT NOT NULL,
                scored_at         INTEGER NOT NULL,
                is_anomaly        INTEGER NOT NULL,
                status            INTEGER,
                reviewed_by       TEXT,
                reviewed_at       INTEGER,
                note              TEXT,
                label             INTEGER,
                labelled_at       INTEGER,
                label_seq         INTEGER,
                CHECK ((status IS NOT NULL) = (is_anomaly <> 0))
            ) STRICT;

            CREATE INDEX scored_transactions_anomalies_idx
                ON scored_transactions (transaction_time DESC, transaction_id DESC) WHERE is_anomaly = 1;
            CREATE INDEX scored_transactions_anomalies_account_idx
                ON scored_transactions (account_id, transaction_time DESC, transaction_id DESC) WHERE is_anomaly = 1;
            CREATE INDEX scored_transactions_anomalies_status_idx
                ON scored_transactions (status, transaction_time DESC, transaction_id DESC) WHERE is_anomaly = 1;
            CREATE UNIQUE INDEX scored_transactions_label_seq_idx
                ON scored_transactions (label_seq) WHERE label_seq IS NOT NULL;
            CREATE INDEX scored_transactions_scored_at_idx
                ON scored_transactions (scored_at);

            -- Monotonic counters (SQLite has no sequences; max()+1 would reuse numbers after a purge).
            CREATE TABLE ledger_sequences (name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) STRICT;
            INSERT INTO ledger_sequences (name, value) VALUES ('label_seq', 0);
            """),
        (2, """
            -- GET /stats: counts per minute (span 1) and per hour (span 60) of scoring time (bucket:
            -- its start, microseconds), kept by every write, review and purge in the same transaction.
            -- status -1 is "not an anomaly".
            CREATE TABLE ledger_stats (
                span          INTEGER NOT NULL,
                bucket        INTEGER NOT NULL,
                severity      INTEGER NOT NULL,
                status        INTEGER NOT NULL,
                model_version TEXT NOT NULL,
                count         INTEGER NOT NULL,
                PRIMARY KEY (span, bucket, severity, status, model_version)
            ) STRICT, WITHOUT ROWID;

            INSERT INTO ledger_stats (span, bucket, severity, status, model_version, count)
            SELECT 1, scored_at - scored_at % 60000000, severity, coalesce(status, -1), model_version, count(*)
              FROM scored_transactions GROUP BY 2, 3, 4, 5
            UNION ALL
            SELECT 60, scored_at - scored_at % 3600000000, severity, coalesce(status, -1), model_version, count(*)
              FROM scored_transactions GROUP BY 2, 3, 4, 5;
            """),
        (3, """
            -- Cases, as in the PostgreSQL ledger (times in microseconds).
            CREATE TABLE cases (
                case_id        TEXT NOT NULL PRIMARY KEY,
                account_id     TEXT NOT NULL,
                number         INTEGER NOT NULL,
                status         INTEGER NOT NULL,
                severity       INTEGER NOT NULL,
                max_score      REAL NOT NULL,
                alerts         INTEGER NOT NULL,
                first_alert_at INTEGER NOT NULL,
                last_alert_at  INTEGER NOT NULL,
                opened_at      INTEGER NOT NULL,
                due_at         INTEGER NOT NULL,
                escalated_at   INTEGER,
                assigned_to    TEXT,
                verdict        INTEGER,
                closed_by      TEXT,
                closed_at      INTEGER,
                note           TEXT,
                version        INTEGER NOT NULL,
                UNIQUE (account_id, number)
            ) STRICT;
            CREATE UNIQUE INDEX cases_open_account_idx ON cases (account_id) WHERE status = 0;
            CREATE INDEX cases_queue_idx ON cases (status, due_at, max_score DESC, case_id);

            CREATE TABLE case_events (
                sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
                case_id        TEXT NOT NULL,
                at             INTEGER NOT NULL,
                by_name        TEXT NOT NULL,
                kind           INTEGER NOT NULL,
                transaction_id TEXT,
                value          TEXT,
                note           TEXT
            ) STRICT;
            CREATE INDEX case_events_case_idx ON case_events (case_id, sequence);

            CREATE TABLE case_inbox (
                transaction_id   TEXT NOT NULL PRIMARY KEY,
                account_id       TEXT NOT NULL,
                transaction_time INTEGER NOT NULL,
                score            REAL NOT NULL,
                severity         INTEGER NOT NULL,
                scored_at        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX case_inbox_scored_at_idx ON case_inbox (scored_at, transaction_id);
            INSERT INTO case_inbox (transaction_id, account_id, transaction_time, score, severity, scored_at)
            SELECT transaction_id, account_id, transaction_time, score, severity, scored_at FROM scored_transactions WHERE is_anomaly = 1 AND status = 0;

            CREATE TABLE case_alerts (
                transaction_id TEXT NOT NULL PRIMARY KEY,
                case_id        TEXT NOT NULL
            ) STRICT;
            CREATE INDEX case_alerts_case_idx ON case_alerts (case_id);
            CREATE INDEX scored_transactions_account_idx ON scored_transactions (account_id, transaction_time DESC, transaction_id DESC);
            DROP INDEX scored_transactions_anomalies_account_idx;

            CREATE TABLE ledger_leases (name TEXT NOT NULL PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL) STRICT;
            """),
        (4, """
            -- Models the detector learnt from live traffic and reviews, as model files (zip), as in
            -- the PostgreSQL ledger: a restarted or new detector starts from the newest.
            CREATE TABLE learned_models (
                id         INTEGER PRIMARY KEY,
                version    TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                content    BLOB NOT NULL
            ) STRICT;
            """),
        (5, """
            -- The features each alert was scored with, as in the PostgreSQL ledger.
            CREATE TABLE alert_features (
                transaction_id TEXT NOT NULL PRIMARY KEY,
                recorded_at    INTEGER NOT NULL,
                features       BLOB NOT NULL
            ) STRICT;
            CREATE INDEX alert_features_recorded_at_idx ON alert_features (recorded_at);
            """),
    ];

    /// <summary>Applies what is pending, on the ledger's writer connection (the caller holds the write lock).</summary>
    public static void Apply(SqliteConnection connection, int commandTimeout)
    {
        connection.Execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
            commandTimeout: commandTimeout);
        foreach (var (version, sql) in All)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var applied = connection.ExecuteScalar<long>(
                "SELECT count(*) FROM schema_migrations WHERE version = @version", new { version }, transaction, commandTimeout) > 0;
            if (!applied)
            {
                connection.Execute(sql, transaction: transaction, commandTimeout: commandTimeout);
                connection.Execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @appliedAt)",
                    new { version, appliedAt = LedgerCodec.ToUnixMicroseconds(DateTimeOffset.UtcNow) },
                    transaction,
                    commandTimeout);
            }

            transaction.Commit();
        }

        connection.Execute("PRAGMA optimize", commandTimeout: commandTimeout);
    }
}
