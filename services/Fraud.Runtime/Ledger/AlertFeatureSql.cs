using System.Buffers.Binary;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// The statements both ledgers run on <c>alert_features</c>, so they agree, and the rows'
/// encoding: little-endian 32-bit floats, as many as the detector had features when it scored.
/// </summary>
internal static class AlertFeatureSql
{
    /// <summary>Row by row (SQLite, in process); PostgreSQL inserts a batch in one statement.</summary>
    public const string Insert =
        "INSERT INTO alert_features (transaction_id, recorded_at, features) VALUES (@TransactionId, @RecordedAt, @Features) ON CONFLICT (transaction_id) DO NOTHING";

    public const string Labelled = """
        SELECT f.transaction_id AS TransactionId, t.label AS IsFraud, f.features AS Features
          FROM scored_transactions t
          JOIN alert_features f ON f.transaction_id = t.transaction_id
         WHERE t.label_seq IS NOT NULL AND t.label_seq <= @upTo
         ORDER BY t.label_seq DESC
         LIMIT @max
        """;

    public const string Purge = "DELETE FROM alert_features WHERE recorded_at < @cutoff";

    public static byte[] Encode(float[] row)
    {
        var bytes = new byte[row.Length * sizeof(float)];
        for (var i = 0; i < row.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), row[i]);
        }

        return bytes;
    }

    public static float[] Decode(byte[] bytes)
    {
        var row = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return row;
    }
}
