using Dapper;
using Npgsql;

namespace Fraud.Runtime.Ledger.Postgres;

/// <summary>
/// The ledger's schema, as numbered migrations recorded in <c>schema_migrations</c>. Each runs in
/// its own transaction holding <c>pg_advisory_xact_lock</c>, and checks again under the lock that
/// it is still pending: replicas starting together apply each migration exactly once.
/// Append new migrations; never edit one that has shipped.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>Advisory lock key (per database) that serialises migrations: "FraudMig".</summary>
    private const long LockKey = 0x4672_6175_644D_6967;

    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            -- Label sequence numbers: how detectors page through labels any replica recorded.
            CREATE SEQUENCE ledger_label_seq AS bigint;

            -- Every scored transaction, its review (anomalies only) and its label.
            -- Enum columns hold the contract's enum values: channel (card_present 0, online 1, atm 2,
            -- transfer 3), severity (none 0 … critical 4), status (open 0, confirmed_fraud 1,
            -- false_positive 2, dismissed 3). Times are UTC to the microsecond.
            CREATE TABLE scored_transactions (
                transaction_id    text COLLATE "C" PRIMARY KEY,
                account_id        text COLLATE "C" NOT NULL,
                merchant_id       text,
                merchant_category text,
                currency          text,
                country           text,
                channel           smallint,
                device_id         text,
                latitude          double precision,
                longitude         double precision,
                transaction_time  timestamptz NOT NULL,
                amount            numeric NOT NULL,
                score             double precision NOT NULL,
                severity          smallint NOT NULL,
                reasons           jsonb,            -- [{code, detail, weight}], NULL when none
                model_version     text NOT NULL,
                scored_at         timestamptz NOT NULL,
                is_anomaly        boolean NOT NULL,
                status            smallint,         -- NULL exactly when not an anomaly
                reviewed_by       text,
                reviewed_at       timestamptz,
                note              text,
                label             boolean,          -- true: fraud; NULL: no label yet
                labelled_at       timestamptz,
                label_seq         bigint,
                CONSTRAINT scored_transactions_status_iff_anomaly CHECK ((status IS NOT NULL) = is_anomaly)
            );

            -- GET /anomalies: newest first, keyset-paginated, optionally by account or status.
            CREATE INDEX scored_transactions_anomalies_idx
                ON scored_transactions (transaction_time DESC, transaction_id DESC) WHERE is_anomaly;
            CREATE INDEX scored_transactions_anomalies_account_idx
                ON scored_transactions (account_id, transaction_time DESC, transaction_id DESC) WHERE is_anomaly;
            CREATE INDEX scored_transactions_anomalies_status_idx
                ON scored_transactions (status, transaction_time DESC, transaction_id DESC) WHERE is_anomaly;
            -- LabelsAfter.
            CREATE UNIQUE INDEX scored_transactions_label_seq_idx
                ON scored_transactions (label_seq) WHERE label_seq IS NOT NULL;
            -- Stats windows and retention: scored_at follows insertion order, so a BRIN index is tiny and cheap to keep.
            CREATE INDEX scored_transactions_scored_at_brin
                ON scored_transactions USING brin (scored_at) WITH (autosummarize = on);
            """),
        (2, """
            -- GET /stats: counts per minute (span 1) and per hour (span 60) of scoring time, kept by
            -- every write, review and purge in the same transaction. Each process adds to rows of its
            -- own writer number, so concurrent replicas never wait on each other's counters;
            -- status -1 is "not an anomaly" (part of the key, so not NULL). Counts of one writer may
            -- go negative (a review made elsewhere); sums over writers are what is read.
            CREATE TABLE ledger_stats (
                span          smallint NOT NULL,
                bucket        timestamptz NOT NULL,
                writer        smallint NOT NULL,
                severity      smallint NOT NULL,
                status        smallint NOT NULL,
                model_version text NOT NULL,
                count         bigint NOT NULL,
                PRIMARY KEY (span, bucket, writer, severity, status, model_version)
            );

            INSERT INTO ledger_stats (span, bucket, writer, severity, status, model_version, count)
            SELECT 1, date_trunc('minute', scored_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 0, severity, coalesce(status, -1), model_version, count(*)
              FROM scored_transactions GROUP BY 2, 4, 5, 6
            UNION ALL
            SELECT 60, date_trunc('hour', scored_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 0, severity, coalesce(status, -1), model_version, count(*)
              FROM scored_transactions GROUP BY 2, 4, 5, 6;
            """),
        (3, """
            -- Cases: an account's alerts, worked as one. status open 0, closed 1; severity and verdict
            -- are the contract's enum values. One open case per account at most.
            CREATE TABLE cases (
                case_id        text COLLATE "C" PRIMARY KEY,
                account_id     text COLLATE "C" NOT NULL,
                number         integer NOT NULL,
                status         smallint NOT NULL,
                severity       smallint NOT NULL,
                max_score      double precision NOT NULL,
                alerts         integer NOT NULL,
                first_alert_at timestamptz NOT NULL,
                last_alert_at  timestamptz NOT NULL,
                opened_at      timestamptz NOT NULL,
                due_at         timestamptz NOT NULL,
                escalated_at   timestamptz,
                assigned_to    text,
                verdict        smallint,
                closed_by      text,
                closed_at      timestamptz,
                note           text,
                version        bigint NOT NULL,
                UNIQUE (account_id, number)
            );
            CREATE UNIQUE INDEX cases_open_account_idx ON cases (account_id) WHERE status = 0;
            -- The queue: deadline first, then score.
            CREATE INDEX cases_queue_idx ON cases (status, due_at, max_score DESC, case_id);

            -- Who did what when; alert reviews included (recorded by the review's own transaction).
            CREATE TABLE case_events (
                sequence       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                case_id        text COLLATE "C" NOT NULL,
                at             timestamptz NOT NULL,
                by_name        text NOT NULL,
                kind           smallint NOT NULL,
                transaction_id text,
                value          text,
                note           text
            );
            CREATE INDEX case_events_case_idx ON case_events (case_id, sequence);

            -- Anomalies waiting for case intake: written with the anomaly in the same transaction, deleted
            -- when it is filed (an outbox: scored_transactions itself is never updated for cases).
            CREATE TABLE case_inbox (
                transaction_id   text COLLATE "C" PRIMARY KEY,
                account_id       text COLLATE "C" NOT NULL,
                transaction_time timestamptz NOT NULL,
                score            double precision NOT NULL,
                severity         smallint NOT NULL,
                scored_at        timestamptz NOT NULL
            );
            CREATE INDEX case_inbox_scored_at_idx ON case_inbox (scored_at, transaction_id);
            -- An upgraded ledger's anomalies still open go to their cases too.
            INSERT INTO case_inbox (transaction_id, account_id, transaction_time, score, severity, scored_at)
            SELECT transaction_id, account_id, transaction_time, score, severity, scored_at FROM scored_transactions WHERE is_anomaly AND status = 0;

            -- Which case each filed anomaly is in.
            CREATE TABLE case_alerts (
                transaction_id text COLLATE "C" PRIMARY KEY,
                case_id        text COLLATE "C" NOT NULL
            );
            CREATE INDEX case_alerts_case_idx ON case_alerts (case_id);
            -- A case's timeline is every transaction of its account: this index replaces the anomalies-only one by account.
            CREATE INDEX scored_transactions_account_idx ON scored_transactions (account_id, transaction_time DESC, transaction_id DESC);
            DROP INDEX scored_transactions_anomalies_account_idx;

            -- Leases: which replica does a singleton's work (case intake).
            CREATE TABLE ledger_leases (name text PRIMARY KEY, holder text NOT NULL, until timestamptz NOT NULL);
            """),
        (4, """
            -- Models the detector learnt from live traffic and reviews (without a model file), as
            -- model files (zip): a restarted or new detector starts from the newest, not the rules.
            CREATE TABLE learned_models (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                version    text COLLATE "C" NOT NULL UNIQUE,
                created_at timestamptz NOT NULL,
                content    bytea NOT NULL
            );
            """),
        (5, """
            -- The features each alert was scored with: every detector, and one restarted, learns
            -- from the verdicts on any detector's alerts. Purged with the transactions.
            CREATE TABLE alert_features (
                transaction_id text COLLATE "C" PRIMARY KEY,
                recorded_at    timestamptz NOT NULL,
                features       bytea NOT NULL
            );
            CREATE INDEX alert_features_recorded_at_idx ON alert_features (recorded_at);
            """),
    ];

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, int commandTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var latest = All[^1].Version;

        // Fast path, without the lock: a replica starting on an up-to-date schema changes nothing.
        if (await CurrentVersionAsync(connection, null, commandTimeout, cancellationToken).ConfigureAwait(false) >= latest)
        {
            return;
        }

        await CreateMigrationsTableAsync(connection, commandTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var (version, sql) in All)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@key)", new { key = LockKey }, transaction, commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);

            // Reading schema_migrations locks it, which also makes this session see the catalog
            // changes of a replica that held the advisory lock before us.
            var applied = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = @version)",
                new { version },
                transaction,
                commandTimeout,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (!applied)
            {
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, commandTimeout: commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, now())",
                    new { version },
                    transaction,
                    commandTimeout,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates <c>schema_migrations</c> when missing, before taking the advisory lock: a transaction
    /// that waited for the lock would still see the catalog as it was when the transaction began.
    /// Two replicas racing here: the loser's error is harmless.
    /// </summary>
    private static async Task CreateMigrationsTableAsync(NpgsqlConnection connection, int commandTimeout, CancellationToken cancellationToken)
    {
        if (await CurrentVersionAsync(connection, null, commandTimeout, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                commandTimeout: commandTimeout,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
        {
            // Another replica created it at the same moment.
        }
    }

    /// <summary>The highest applied version; 0 when none; null when there is no <c>schema_migrations</c> table.</summary>
    private static async Task<int?> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, int commandTimeout, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('schema_migrations') IS NOT NULL", transaction: transaction, commandTimeout: commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!exists)
        {
            return null;
        }

        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) FROM schema_migrations", transaction: transaction, commandTimeout: commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
