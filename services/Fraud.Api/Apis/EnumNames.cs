using Fraud.Core.Contracts;

namespace Fraud.Api.Apis;

/// <summary>The snake_case names of the contract's enums, as they appear in JSON and query strings.</summary>
public static class EnumNames
{
    private static readonly Dictionary<string, Severity> Severities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = Severity.None,
        ["low"] = Severity.Low,
        ["medium"] = Severity.Medium,
        ["high"] = Severity.High,
        ["critical"] = Severity.Critical,
    };

    private static readonly Dictionary<string, AnomalyStatus> Statuses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["open"] = AnomalyStatus.Open,
        ["confirmed_fraud"] = AnomalyStatus.ConfirmedFraud,
        ["false_positive"] = AnomalyStatus.FalsePositive,
        ["dismissed"] = AnomalyStatus.Dismissed,
    };

    public static bool TryParseSeverity(string name, out Severity severity) => Severities.TryGetValue(name, out severity);

    public static bool TryParseStatus(string name, out AnomalyStatus status) => Statuses.TryGetValue(name, out status);

    public static string Name(Severity severity) => Severities.First(p => p.Value == severity).Key;

    public static string Name(AnomalyStatus status) => Statuses.First(p => p.Value == status).Key;
}
