using System.Text.Json;
using Fraud.Contracts;

namespace Fraud.Core.Tests.Contracts;

public class JsonContractTests
{
    [Fact]
    public void Scored_transaction_serialises_flat_with_snake_case_enums()
    {
        var tx = new Transaction
        {
            TransactionId = "t1",
            AccountId = "a1",
            Timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Amount = 12.5m,
            Channel = Channel.CardPresent,
        };
        var scored = new ScoredTransaction(tx, 0.91, Severity.Critical, [new Reason("AMOUNT_SPIKE", "x", 0.7)], "m1", tx.Timestamp);

        var json = JsonSerializer.Serialize(scored, FraudJsonContext.Default.ScoredTransaction);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        Assert.Equal("t1", root.GetProperty("transactionId").GetString());
        Assert.Equal("card_present", root.GetProperty("channel").GetString());
        Assert.Equal("critical", root.GetProperty("severity").GetString());
        Assert.Equal("AMOUNT_SPIKE", root.GetProperty("reasons")[0].GetProperty("code").GetString());
        Assert.False(root.TryGetProperty("merchantId", out _), "nulls are omitted");
    }

    [Fact]
    public void Anomaly_round_trips_with_status()
    {
        var tx = new Transaction { TransactionId = "t2", AccountId = "a", Timestamp = DateTimeOffset.UnixEpoch, Amount = 1m };
        var anomaly = new Anomaly(new ScoredTransaction(tx, 0.5, Severity.Medium, [], "m", DateTimeOffset.UnixEpoch))
        {
            Status = AnomalyStatus.ConfirmedFraud,
            ReviewedBy = "ana",
        };

        var json = JsonSerializer.Serialize(anomaly, FraudJsonContext.Default.Anomaly);
        Assert.Contains("\"status\":\"confirmed_fraud\"", json);
        var back = JsonSerializer.Deserialize(json, FraudJsonContext.Default.Anomaly)!;
        Assert.Equal(anomaly.Status, back.Status);
        Assert.Equal(anomaly.Score, back.Score);
        Assert.Equal("t2", back.TransactionId);
    }
}
