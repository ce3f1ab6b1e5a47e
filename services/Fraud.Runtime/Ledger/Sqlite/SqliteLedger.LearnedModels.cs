using Dapper;

namespace Fraud.Runtime.Ledger.Sqlite;

/// <summary>Models the detector learnt, kept so that a restarted detector starts from the newest (<c>learned_models</c>).</summary>
public sealed partial class SqliteLedger
{
    public async Task SaveLearnedModelAsync(string version, DateTimeOffset createdAt, byte[] content, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = Writer().BeginTransaction();
            Writer().Execute(LearnedModelSql.Insert, new { version, createdAt = Time(createdAt), content }, transaction, _commandTimeout);
            Writer().Execute(LearnedModelSql.Trim, new { kept = LearnedModelSql.Kept }, transaction, _commandTimeout);
            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<byte[]?> LatestLearnedModelAsync(CancellationToken cancellationToken) =>
        ReadAsync(s => s.Connection.QuerySingleOrDefault<byte[]?>(LearnedModelSql.Latest, commandTimeout: _commandTimeout), cancellationToken);
}
