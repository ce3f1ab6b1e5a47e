using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Api.Cases;

public enum CaseCommandKind
{
    /// <summary>File new anomalies of the account: into its open case, or a new one.</summary>
    File,
    Assign,
    Note,
    /// <summary>The verdict: reviews the case's open alerts with it and closes the case.</summary>
    Close,
    /// <summary>The deadline passed: escalate the case if it is still open and unescalated.</summary>
    Escalate,
}

/// <summary>
/// What to do to an account's case, as its owner (the case actor, or the embedded twin) receives it.
/// <see cref="IfVersion"/>, when given, must be the case's current version.
/// </summary>
public sealed record CaseCommand(
    CaseCommandKind Kind,
    string By,
    string? CaseId = null,
    IReadOnlyList<UncasedAlert>? Alerts = null,
    string? Assignee = null,
    AnomalyStatus? Verdict = null,
    string? Note = null,
    long? IfVersion = null);
