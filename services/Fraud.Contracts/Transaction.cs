namespace Fraud.Contracts;

/// <summary>
/// A payment transaction as producers send it. Only the four required members must be present;
/// every optional member sharpens the features but the engine works without it.
/// </summary>
public record Transaction
{
    public required string TransactionId { get; init; }
    public required string AccountId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required decimal Amount { get; init; }
    public string? MerchantId { get; init; }
    public string? MerchantCategory { get; init; }
    public string? Currency { get; init; }
    public string? Country { get; init; }
    public Channel? Channel { get; init; }
    public string? DeviceId { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
}
