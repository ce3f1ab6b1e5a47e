namespace Fraud.Core.Evaluation;

/// <summary>
/// Card precision@k: the mean over days and each day's figures, in increasing day order.
/// <see cref="CompromisedPerDay"/> counts the distinct accounts with a fraud that day once the
/// accounts found on earlier days are left out (the handbook's "compromised cards"); <see cref="Days"/>
/// names the day of each entry, since only days present in the data count.
/// </summary>
public sealed record CardPrecisionResult(
    double Mean,
    IReadOnlyList<double> PerDay,
    IReadOnlyList<int> CompromisedPerDay,
    IReadOnlyList<int> Days);
