using Prometheus;

namespace Fraud.Detector.Observability;

/// <summary>
/// The detector's Prometheus metrics (prometheus-net): throughput, latency, alerts, verdicts,
/// dead letters, profiles and the model in use. Dashboards and alert rules refer to these names.
/// </summary>
/// <remarks>
/// These stay prometheus-net collectors rather than <c>System.Diagnostics.Metrics</c> instruments
/// from <c>IMeterFactory</c> exported through prometheus-net's meter adapter, because that adapter
/// (prometheus-net 8.2.1, <c>MeterAdapter</c>) would change what dashboards and alerts read: it
/// exports every <c>Counter&lt;T&gt;</c> as a gauge, removes a series that has not been measured
/// for its expiry time (at most one day, so a quiet counter vanishes), and cannot remove the
/// series of a replaced model version (<c>fraud_model_info</c>, which an alert counts).
/// </remarks>
public static class DetectorMetrics
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

    public static readonly Counter DeadLetters = Metrics.CreateCounter(
        "fraud_dead_letters_total", "Messages refused as malformed and sent to a dead-letter topic.",
        new CounterConfiguration { LabelNames = ["topic"] });

    public static readonly Counter Verdicts = Metrics.CreateCounter(
        "fraud_verdicts_total", "Analyst verdicts handled by the detector, by status.",
        new CounterConfiguration { LabelNames = ["status"] });

    public static readonly Gauge AccountProfiles = Metrics.CreateGauge(
        "fraud_account_profiles", "Account profiles held in this process (embedded runtime).");

    public static readonly Counter ProfileWriteConflicts = Metrics.CreateCounter(
        "fraud_profile_write_conflicts_total", "Account profile writes (Dapr) that did not go through: a profile changed since it was read, or the store failed; the profiles are read again and the write retried.");

    public static readonly Gauge MerchantProfiles = Metrics.CreateGauge(
        "fraud_merchant_profiles", "Merchant profiles held in this process.");

    public static readonly Gauge AlertBudgetTarget = Metrics.CreateGauge(
        "fraud_alert_budget_ratio", "Share of transactions the alert budget lets alert (the unsupervised model's contamination, or Fraud:Scoring:AlertBudget); 0 when off.");

    public static readonly Gauge AlertRateUnbudgeted = Metrics.CreateGauge(
        "fraud_alert_unbudgeted_ratio", "Share of the budget window's transactions that score at or above the alert threshold before the budget's shift.");

    public static readonly Gauge AlertBudgetShift = Metrics.CreateGauge(
        "fraud_alert_budget_shift", "Log-odds the alert budget takes from every score (negative: adds) to keep the alert rate at its budget.");

    public static readonly Gauge ReviewedAlerts = Metrics.CreateGauge(
        "fraud_model_reviewed_alerts", "Reviewed alerts a detector without a model file learns from (the last 20,000, any replica's), by verdict: fraud or legitimate.",
        new GaugeConfiguration { LabelNames = ["verdict"] });

    public static readonly Gauge ModelInfo = Metrics.CreateGauge(
        "fraud_model_info", "1 for the model version in use; source: file (Fraud:Detector:ModelPath) or learnt (from live traffic and reviews).",
        new GaugeConfiguration { LabelNames = ["version", "kind", "source"] });
}
