using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Fraud.Runtime.Ledger.Postgres;

/// <summary>The feature rows of alerts, for detectors to learn from their verdicts (<c>alert_features</c>).</summary>
public sealed partial class PostgresLedger
{
    public async Task SaveAlertFeaturesAsync(IReadOnlyList<AlertFeatures> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // One statement for the interval's rows (a few thousand at most), not a round trip each.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(
            "INSERT INTO alert_features (transaction_id, recorded_at, features) SELECT * FROM unnest(@ids, @times, @features) "
            + "ON CONFLICT (transaction_id) DO NOTHING",
            connection);
        insert.Parameters.Add(new NpgsqlParameter<string[]>("ids", [.. rows.Select(r => r.TransactionId)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<DateTime[]>("times", [.. rows.Select(r => r.RecordedAt.UtcDateTime)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]>("features", [.. rows.Select(r => AlertFeatureSql.Encode(r.Features))]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AlertFeatures>> GetAlertFeaturesAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken)
    {
        if (transactionIds.Count == 0)
        {
            return [];
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string TransactionId, DateTime RecordedAt, byte[] Features)>(Definition(
            "SELECT transaction_id, recorded_at, features FROM alert_features WHERE transaction_id = ANY (@ids)",
            new { ids = transactionIds.ToArray() },
            cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new AlertFeatures(r.TransactionId, LedgerCodec.FromUtc(r.RecordedAt), AlertFeatureSql.Decode(r.Features))).ToList();
    }

    public async Task<IReadOnlyList<LabelledFeatures>> LabelledFeaturesAsync(long upToSequence, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string TransactionId, bool IsFraud, byte[] Features)>(Definition(
            AlertFeatureSql.Labelled, new { upTo = upToSequence, max }, cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new LabelledFeatures(r.TransactionId, r.IsFraud, AlertFeatureSql.Decode(r.Features))).ToList();
    }
}
