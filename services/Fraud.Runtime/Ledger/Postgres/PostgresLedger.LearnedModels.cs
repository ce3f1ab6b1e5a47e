using Dapper;

namespace Fraud.Runtime.Ledger.Postgres;

/// <summary>Models the detector learnt, kept so that a restarted detector starts from the newest (<c>learned_models</c>).</summary>
public sealed partial class PostgresLedger
{
    public async Task SaveLearnedModelAsync(string version, DateTimeOffset createdAt, byte[] content, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(LearnedModelSql.Insert, new { version, createdAt = Time(createdAt), content }, transaction,
            _commandTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(LearnedModelSql.Trim, new { kept = LearnedModelSql.Kept }, transaction, _commandTimeout,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> LatestLearnedModelAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<byte[]?>(Definition(LearnedModelSql.Latest, null, cancellationToken)).ConfigureAwait(false);
    }
}
