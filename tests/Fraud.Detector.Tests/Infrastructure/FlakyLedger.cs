using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>
/// The real ledger (SQLite in a temp directory) with switches that make writes fail and pings
/// answer "unreachable", like a database that is briefly down, and a count of the rows written.
/// </summary>
public sealed class FlakyLedger(ILedger inner) : ILedger, IDisposable
{
    private long _rowsWritten;
    private long _writeCalls;

    public ILedger Inner => inner;

    /// <summary>When set, <see cref="WriteAsync"/> throws this instead of writing.</summary>
    public Exception? WriteFailure { get; set; }

    /// <summary>Rows the ledger reported as new, over all writes.</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    public long WriteCalls => Interlocked.Read(ref _writeCalls);

    public string Kind => inner.Kind;

    public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

    /// <summary>When true, <see cref="PingAsync"/> answers that the database is unreachable.</summary>
    public bool Unreachable { get; set; }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Unreachable ? Task.FromResult(false) : inner.PingAsync(cancellationToken);

    public async Task<int> WriteAsync(IReadOnlyList<ScoredTransaction> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writeCalls);
        if (WriteFailure is { } failure)
        {
            throw failure;
        }

        var written = await inner.WriteAsync(batch, cancellationToken);
        Interlocked.Add(ref _rowsWritten, written);
        return written;
    }

    public Task<ScoredTransaction?> GetTransactionAsync(string transactionId, CancellationToken cancellationToken) =>
        inner.GetTransactionAsync(transactionId, cancellationToken);

    public Task<IReadOnlyList<ScoredTransaction>> GetTransactionsAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken) =>
        inner.GetTransactionsAsync(transactionIds, cancellationToken);

    public Task<LedgerActivity> ActivityAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.ActivityAsync(now, cancellationToken);

    public Task<Anomaly?> GetAnomalyAsync(string transactionId, CancellationToken cancellationToken) =>
        inner.GetAnomalyAsync(transactionId, cancellationToken);

    public Task<AnomalyPage> QueryAnomaliesAsync(AnomalyFilter filter, CancellationToken cancellationToken) =>
        inner.QueryAnomaliesAsync(filter, cancellationToken);

    public Task<ReviewResult> ReviewAsync(string transactionId, Review review, string? ifMatch, CancellationToken cancellationToken) =>
        inner.ReviewAsync(transactionId, review, ifMatch, cancellationToken);

    public Task<bool> RecordLabelAsync(FraudLabel label, DateTimeOffset labelledAt, CancellationToken cancellationToken) =>
        inner.RecordLabelAsync(label, labelledAt, cancellationToken);

    public Task<IReadOnlyList<LabelRecord>> LabelsAfterAsync(long afterSequence, int max, CancellationToken cancellationToken) =>
        inner.LabelsAfterAsync(afterSequence, max, cancellationToken);

    public Task<long> LastLabelSequenceAsync(CancellationToken cancellationToken) => inner.LastLabelSequenceAsync(cancellationToken);

    public Task<LedgerStats> StatsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        inner.StatsAsync(from, to, cancellationToken);

    public Task<long> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.PurgeAsync(cutoff, cancellationToken);

    public Task SaveLearnedModelAsync(string version, DateTimeOffset createdAt, byte[] content, CancellationToken cancellationToken) =>
        inner.SaveLearnedModelAsync(version, createdAt, content, cancellationToken);

    public Task<byte[]?> LatestLearnedModelAsync(CancellationToken cancellationToken) => inner.LatestLearnedModelAsync(cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    public Task SaveAlertFeaturesAsync(IReadOnlyList<AlertFeatures> rows, CancellationToken cancellationToken) => inner.SaveAlertFeaturesAsync(rows, cancellationToken);

    public Task<IReadOnlyList<AlertFeatures>> GetAlertFeaturesAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken) =>
        inner.GetAlertFeaturesAsync(transactionIds, cancellationToken);

    public Task<IReadOnlyList<LabelledFeatures>> LabelledFeaturesAsync(long upToSequence, int max, CancellationToken cancellationToken) =>
        inner.LabelledFeaturesAsync(upToSequence, max, cancellationToken);
}
