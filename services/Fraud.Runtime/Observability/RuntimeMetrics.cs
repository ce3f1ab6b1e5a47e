using Prometheus;

namespace Fraud.Runtime.Observability;

/// <summary>
/// The runtime's own Prometheus metrics (prometheus-net): bounded queues, backpressure, the
/// embedded anomaly buffer and the ledger. The detector's are in <c>DetectorMetrics</c>; HTTP
/// metrics come from <c>UseHttpMetrics</c>, and .NET meters (Npgsql's connection pool, Kestrel) are
/// exported by prometheus-net's meter adapter. Dashboards and alert rules refer to these names.
/// </summary>
/// <remarks>
/// prometheus-net collectors, not <c>IMeterFactory</c> instruments: its meter adapter would export
/// the counters as gauges and expire quiet series (the reasons in full on <c>DetectorMetrics</c>).
/// </remarks>
public static class RuntimeMetrics
{
    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "fraud_queue_depth", "Items waiting in a bounded in-process queue.",
        new GaugeConfiguration { LabelNames = ["queue"] });

    public static readonly Counter AppTokenRejections = Metrics.CreateCounter(
        "fraud_app_token_rejections_total", "Requests on the sidecar's routes refused for a missing or wrong dapr-api-token; route is discovery (/dapr/*, the sidecar itself) or other.",
        new CounterConfiguration { LabelNames = ["route"] });

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

    /// <summary>At ingest (the id was in the ledger) or in the detector (it was still on its way): each counted once, where it was caught.</summary>
    public static readonly Counter ResendConflicts = Metrics.CreateCounter(
        "fraud_resend_conflicts_total", "Transactions that came again under an id already scored, with other content; the first copy stands.");

    public static readonly Counter Backpressure = Metrics.CreateCounter(
        "fraud_backpressure_rejections_total", "Requests refused with 503 because a bounded queue stayed full.");
}
