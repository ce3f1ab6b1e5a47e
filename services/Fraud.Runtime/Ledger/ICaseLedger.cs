using Fraud.Contracts;

namespace Fraud.Runtime.Ledger;

/// <summary>
/// The record of cases, in the ledger's database beside the anomalies they group: the cases, their
/// history, and which case each anomaly belongs to. It is the queryable record across accounts (the
/// queue); changes to one account's case are made one at a time by its case owner (a Dapr actor, or
/// the embedded twin), which <see cref="SaveCaseAsync"/> checks with the case's version.
/// </summary>
public interface ICaseLedger
{
    /// <summary>Anomalies in no case yet, oldest scoring first: what case intake has still to file.</summary>
    Task<IReadOnlyList<UncasedAlert>> UncasedAlertsAsync(int max, CancellationToken cancellationToken);

    /// <summary>How many anomalies are in no case yet (the intake's lag).</summary>
    Task<long> CountUncasedAlertsAsync(CancellationToken cancellationToken);

    Task<Case?> GetCaseAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The account's open case, if any.</summary>
    Task<Case?> OpenCaseOfAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The highest case number the account has had (0 when none): the next case is one more.</summary>
    Task<int> LastCaseNumberAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Cases matching the filter in queue order: earliest deadline first, then highest score, then id.</summary>
    Task<CasePage> QueryCasesAsync(CaseFilter filter, CancellationToken cancellationToken);

    /// <summary>The case's history, oldest first.</summary>
    Task<IReadOnlyList<CaseEvent>> CaseHistoryAsync(string caseId, CancellationToken cancellationToken);

    /// <summary>The case's alerts, newest transaction first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<Anomaly>> CaseAlertsAsync(string caseId, int max, CancellationToken cancellationToken);

    /// <summary>The account's scored transactions in [from, to) of transaction time, newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<ScoredTransaction>> AccountTransactionsAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken);

    /// <summary>Open cases not escalated whose deadline is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<Case>> DueCasesAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: stores the case (inserted when <see cref="CaseChange.ExpectedVersion"/> is
    /// 0, else updated only if its stored version is that one), appends its events, and files the
    /// alerts into it (each only if in no case yet). False, with nothing changed, when the version
    /// or an alert was taken meanwhile: read again and decide again.
    /// </summary>
    Task<bool> SaveCaseAsync(CaseChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Holds the named lease for <paramref name="holder"/> until <paramref name="until"/> when it is
    /// free, expired or already theirs: how one replica of several does a singleton's work.
    /// </summary>
    Task<bool> TryHoldLeaseAsync(string name, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);
}
