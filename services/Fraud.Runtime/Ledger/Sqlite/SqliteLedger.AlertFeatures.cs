using Dapper;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>The feature rows of alerts, for detectors to learn from their verdicts (<c>alert_features</c>).</summary>
public sealed partial class SqliteLedger
{
    public async Task SaveAlertFeaturesAsync(IReadOnlyList<AlertFeatures> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = Writer().BeginTransaction();
            Writer().Execute(
                AlertFeatureSql.Insert,
                rows.Select(r => new { r.TransactionId, RecordedAt = Time(r.RecordedAt), Features = AlertFeatureSql.Encode(r.Features) }),
                transaction,
                _commandTimeout);
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<AlertFeatures>> GetAlertFeaturesAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken) =>
        transactionIds.Count == 0
            ? Task.FromResult<IReadOnlyList<AlertFeatures>>([])
            : ReadAsync<IReadOnlyList<AlertFeatures>>(
                session => session.Connection
                    .Query<(string TransactionId, long RecordedAt, byte[] Features)>(
                        "SELECT transaction_id, recorded_at, features FROM alert_features WHERE transaction_id IN @ids",
                        new { ids = transactionIds },
                        commandTimeout: _commandTimeout)
                    .Select(r => new AlertFeatures(r.TransactionId, LedgerCodec.FromUnixMicroseconds(r.RecordedAt), AlertFeatureSql.Decode(r.Features)))
                    .ToList(),
                cancellationToken);

    public Task<IReadOnlyList<LabelledFeatures>> LabelledFeaturesAsync(long upToSequence, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return ReadAsync<IReadOnlyList<LabelledFeatures>>(
            session => session.Connection
                .Query<(string TransactionId, long IsFraud, byte[] Features)>(AlertFeatureSql.Labelled, new { upTo = upToSequence, max = (long)max }, commandTimeout: _commandTimeout)
                .Select(r => new LabelledFeatures(r.TransactionId, r.IsFraud != 0, AlertFeatureSql.Decode(r.Features)))
                .ToList(),
            cancellationToken);
    }
}
