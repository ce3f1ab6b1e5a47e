using Dapr.Client;
using Fraud.Contracts;

namespace Fraud.Runtime.Messaging.Dapr;

/// <summary>Alerts, verdicts and dead letters through the sidecar's pub/sub component.</summary>
public sealed class DaprEventPublisher(DaprClient dapr) : IEventPublisher
{
    public Task PublishAnomaliesAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken)
    {
        if (anomalies.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Keyed by account like the transactions, so one account's alerts stay in order.
        var publishes = new Task[anomalies.Count];
        for (var i = 0; i < anomalies.Count; i++)
        {
            publishes[i] = dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.AnomaliesTopic, anomalies[i],
                DaprTransactionPublisher.PartitionKey(anomalies[i].AccountId), cancellationToken);
        }

        return Task.WhenAll(publishes);
    }

    public Task PublishVerdictAsync(Verdict verdict, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.FeedbackTopic, verdict,
            DaprTransactionPublisher.PartitionKey(verdict.AccountId), cancellationToken);

    public Task PublishDeadLetterAsync(DeadLetter letter, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.DeadLetterTopicOf(letter.Topic), letter, cancellationToken);
}
