using Fraud.Contracts;
using Fraud.Runtime.Ledger;
using Prometheus;

namespace Fraud.Api.Cases;

/// <summary>
/// Case metrics (prometheus-net, as the detector's: see <c>DetectorMetrics</c> for why not
/// <c>IMeterFactory</c>). Dashboards and alert rules refer to these names.
/// </summary>
public static class CaseMetrics
{
    public static readonly Counter Opened = Metrics.CreateCounter(
        "fraud_cases_opened_total", "Cases opened, by severity at opening.",
        new CounterConfiguration { LabelNames = ["severity"] });

    public static readonly Counter Escalated = Metrics.CreateCounter(
        "fraud_cases_escalated_total", "Cases still open at their deadline, by severity.",
        new CounterConfiguration { LabelNames = ["severity"] });

    public static readonly Counter Closed = Metrics.CreateCounter(
        "fraud_cases_closed_total", "Cases closed, by verdict.",
        new CounterConfiguration { LabelNames = ["verdict"] });

    public static readonly Counter AlertsFiled = Metrics.CreateCounter(
        "fraud_case_alerts_filed_total", "Anomalies filed into cases.");

    public static readonly Gauge IntakePending = Metrics.CreateGauge(
        "fraud_case_intake_pending", "Anomalies in the ledger not filed into a case yet, as the replica holding case intake last counted.");

    public static readonly Counter IntakeFailures = Metrics.CreateCounter(
        "fraud_case_intake_failures_total", "Filings that failed and wait for the next look (ledger or case owner unavailable).");

    internal static void Record(CaseCommandKind kind, CaseChange change)
    {
        var c = change.Case;
        switch (kind)
        {
            case CaseCommandKind.File:
                AlertsFiled.Inc(change.FileAlerts.Count);
                if (change.ExpectedVersion == 0)
                {
                    Opened.WithLabels(WireNames.Name(c.Severity)).Inc();
                }

                break;
            case CaseCommandKind.Escalate:
                Escalated.WithLabels(WireNames.Name(c.Severity)).Inc();
                break;
            case CaseCommandKind.Close:
                Closed.WithLabels(WireNames.Name(c.Verdict!.Value)).Inc();
                break;
        }
    }
}
