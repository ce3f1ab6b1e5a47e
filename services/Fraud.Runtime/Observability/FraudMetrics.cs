using Prometheus;

namespace Fraud.Runtime.Observability;

/// <summary>
/// The system's own Prometheus metrics (prometheus-net). HTTP metrics come from
/// <c>UseHttpMetrics</c>, and .NET meters (Npgsql's connection pool, Kestrel) are exported by
/// prometheus-net's meter adapter; dashboards and alert rules refer to these names.
/// </summary>
public static class FraudMetrics
{
    public static readonly Counter TransactionsProcessed = Metrics.CreateCounter(
        "fraud_transactions_processed_total", "Transactions handled by the detector, by outcome.",
        new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Histogram DetectionLatency = Metrics.CreateHistogram(
        "fraud_detection_latency_seconds", "From a transaction's arrival at the detector to its ledger commit.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });

    public static readonly Histogram ScoringDuration = Metrics.CreateHistogram(
        "fraud_scoring_duration_seconds", "Features and scoring of one transaction, averaged over its batch.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.000001, 2, 16) });

    public static readonly Counter Anomalies = Metrics.CreateCounter(
        "fraud_anomalies_total", "Transactions scored at or above the alert threshold, by severity.",
        new CounterConfiguration { LabelNames = ["severity"] });

    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "fraud_queue_depth", "Items waiting in a bounded in-process queue.",
        new GaugeConfiguration { LabelNames = ["queue"] });

    public static readonly Gauge AnomalyBufferSize = Metrics.CreateGauge(
        "fraud_anomaly_buffer_size", "Anomalies held by the embedded anomaly buffer.");

    public static readonly Gauge AnomalyBufferCapacity = Metrics.CreateGauge(
        "fraud_anomaly_buffer_capacity", "Most anomalies the embedded anomaly buffer holds.");

    public static readonly Counter AnomalyBufferEvictions = Metrics.CreateCounter(
        "fraud_anomaly_buffer_evictions_total", "Anomalies pushed out of the embedded buffer by its size cap.");

    public static readonly Histogram LedgerBatchSize = Metrics.CreateHistogram(
        "fraud_ledger_batch_rows", "Rows per ledger group commit.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 16) });

    public static readonly Histogram LedgerBatchDuration = Metrics.CreateHistogram(
        "fraud_ledger_batch_duration_seconds", "Time of one ledger group commit.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });

    public static readonly Counter LedgerFailures = Metrics.CreateCounter(
        "fraud_ledger_write_failures_total", "Ledger group commits that failed (their transactions are retried by the caller).");

    public static readonly Counter DeadLetters = Metrics.CreateCounter(
        "fraud_dead_letters_total", "Messages refused as malformed and sent to a dead-letter topic.",
        new CounterConfiguration { LabelNames = ["topic"] });

    public static readonly Counter Verdicts = Metrics.CreateCounter(
        "fraud_verdicts_total", "Analyst verdicts handled by the detector, by status.",
        new CounterConfiguration { LabelNames = ["status"] });

    public static readonly Counter Backpressure = Metrics.CreateCounter(
        "fraud_backpressure_rejections_total", "Requests refused with 503 because a bounded queue stayed full.");

    public static readonly Gauge AccountProfiles = Metrics.CreateGauge(
        "fraud_account_profiles", "Account profiles held in this process (embedded runtime).");

    public static readonly Gauge MerchantProfiles = Metrics.CreateGauge(
        "fraud_merchant_profiles", "Merchant profiles held in this process.");

    public static readonly Gauge ModelInfo = Metrics.CreateGauge(
        "fraud_model_info", "1 for the model version in use.",
        new GaugeConfiguration { LabelNames = ["version", "kind"] });
}
