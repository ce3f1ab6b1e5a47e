using Fraud.Contracts;

namespace Fraud.Runtime.Tests.Anomalies;

internal static class TestAnomalies
{
    public static Anomaly Create(string transactionId, string accountId = "acct-1", Severity severity = Severity.High) =>
        new(new ScoredTransaction(
            new Transaction
            {
                TransactionId = transactionId,
                AccountId = accountId,
                Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                Amount = 42m,
            },
            score: 0.9,
            severity,
            reasons: [],
            modelVersion: "test",
            scoredAt: new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero)));
}
