using System.Text.Json.Serialization;

namespace Fraud.Contracts;

/// <summary>
/// An analyst's review of an anomaly, published on the <c>feedback</c> topic. It carries the
/// transaction's own time, account and merchant so the detector can credit the right profiles
/// without looking the transaction up.
/// </summary>
public sealed record Verdict
{
    public required string TransactionId { get; init; }
    public required string AccountId { get; init; }
    public string? MerchantId { get; init; }
    public required DateTimeOffset TransactionTime { get; init; }
    public required AnomalyStatus Status { get; init; }
    public string? ReviewedBy { get; init; }
    public required DateTimeOffset ReviewedAt { get; init; }

    /// <summary>The label the review gives: fraud, not fraud, or none (dismissed, still open).</summary>
    [JsonIgnore]
    public bool? IsFraud => Status switch
    {
        AnomalyStatus.ConfirmedFraud => true,
        AnomalyStatus.FalsePositive => false,
        _ => null,
    };

    public FraudLabel? ToLabel() => IsFraud is { } isFraud
        ? new FraudLabel(TransactionId, AccountId, MerchantId, TransactionTime, isFraud)
        : null;
}
