using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// The record of every scored transaction, its review and its label: PostgreSQL in a cluster,
/// SQLite (or PostgreSQL) in the embedded runtime. Implementations are thread-safe.
/// </summary>
public interface ILedger
{
    /// <summary><c>postgresql</c> or <c>sqlite</c>, for health and start-up lines.</summary>
    string Kind { get; }

    /// <summary>Creates or upgrades the schema; idempotent, safe when several replicas start at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>True when the database answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes a batch in one transaction. Idempotent on <c>transactionId</c>: a row already there is
    /// left untouched (a redelivery never overwrites a review). Returns how many rows were new.
    /// </summary>
    Task<int> WriteAsync(IReadOnlyList<ScoredTransaction> batch, CancellationToken cancellationToken);

    /// <summary>A scored transaction; an <see cref="Anomaly"/> instance when it was one.</summary>
    Task<ScoredTransaction?> GetTransactionAsync(string transactionId, CancellationToken cancellationToken);

    /// <summary>
    /// The scored transactions among <paramref name="transactionIds"/> that the ledger holds, in no
    /// particular order: how a resend is recognised whatever time has passed since the first copy.
    /// </summary>
    Task<IReadOnlyList<ScoredTransaction>> GetTransactionsAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken);

    /// <summary>The anomaly with this id, or null when there is none (or the transaction scored below the alert threshold).</summary>
    Task<Anomaly?> GetAnomalyAsync(string transactionId, CancellationToken cancellationToken);

    /// <summary>Anomalies matching the filter, newest transaction time first, keyset-paginated.</summary>
    Task<AnomalyPage> QueryAnomaliesAsync(AnomalyFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a review when the anomaly's current <see cref="Anomalies.AnomalyETag"/> matches
    /// <paramref name="ifMatch"/> (null: unconditional). Atomic against concurrent reviews.
    /// </summary>
    Task<ReviewResult> ReviewAsync(string transactionId, Review review, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>
    /// Records a label (for retraining and for the merchant risk of every detector). Idempotent: the
    /// same label again changes nothing and takes no new sequence number. False when the transaction is unknown.
    /// </summary>
    Task<bool> RecordLabelAsync(FraudLabel label, DateTimeOffset labelledAt, CancellationToken cancellationToken);

    /// <summary>Labels recorded after <paramref name="afterSequence"/>, oldest first: how detectors learn labels any one of them received.</summary>
    Task<IReadOnlyList<LabelRecord>> LabelsAfterAsync(long afterSequence, int max, CancellationToken cancellationToken);

    /// <summary>The sequence number of the newest label kept (0 when none): where a detector starting now begins to read labels.</summary>
    Task<long> LastLabelSequenceAsync(CancellationToken cancellationToken);

    /// <summary>Counts by severity and status, throughput and model versions over [from, to) of scoring time.</summary>
    Task<LedgerStats> StatsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Transactions scored in the minute before the one <paramref name="now"/> is in, and the model of the latest ones scored (null when none).</summary>
    Task<LedgerActivity> ActivityAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes transactions scored before <paramref name="cutoff"/>, in chunks; returns how many.</summary>
    Task<long> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>Keeps a model file a detector learnt (the newest <see cref="LearnedModelSql.Kept"/> are kept); saving a version again changes nothing.</summary>
    Task SaveLearnedModelAsync(string version, DateTimeOffset createdAt, byte[] content, CancellationToken cancellationToken);

    /// <summary>The newest learnt model file, or null when none was saved.</summary>
    Task<byte[]?> LatestLearnedModelAsync(CancellationToken cancellationToken);

    /// <summary>Keeps the feature rows of alerts (an id kept before keeps its first row); purged with the transactions.</summary>
    Task SaveAlertFeaturesAsync(IReadOnlyList<AlertFeatures> rows, CancellationToken cancellationToken);

    /// <summary>The kept feature rows of those of <paramref name="transactionIds"/> that have one.</summary>
    Task<IReadOnlyList<AlertFeatures>> GetAlertFeaturesAsync(IReadOnlyCollection<string> transactionIds, CancellationToken cancellationToken);

    /// <summary>
    /// The newest <paramref name="max"/> labelled transactions with a kept feature row, among the
    /// labels up to <paramref name="upToSequence"/>, newest first.
    /// </summary>
    Task<IReadOnlyList<LabelledFeatures>> LabelledFeaturesAsync(long upToSequence, int max, CancellationToken cancellationToken);
}
