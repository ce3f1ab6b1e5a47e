using Dapr.Client;
using Fraud.Contracts;

namespace Fraud.Runtime.Messaging.Dapr;

/// <summary>
/// Publishes on <c>pubsub/transactions</c> through the sidecar, one CloudEvent per transaction with
/// <c>partitionKey = accountId</c> (the Kafka component uses it as the message key, so an account's
/// transactions share a partition and keep their order). Bulk publish cannot set a key per entry,
/// so single publishes run concurrently instead. A publish completes when the broker acknowledged it.
/// </summary>
public sealed class DaprTransactionPublisher(DaprClient dapr) : ITransactionPublisher
{
    private const int MaxConcurrentPublishes = 64;

    public async Task<PublishResult> PublishAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        var failures = new List<PublishFailure>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentPublishes, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(transactions, options, async (tx, token) =>
        {
            try
            {
                await dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.TransactionsTopic, tx, PartitionKey(tx.AccountId), token).ConfigureAwait(false);
            }
            catch (global::Dapr.DaprException e)
            {
                lock (failures)
                {
                    failures.Add(new PublishFailure(tx.TransactionId, e.InnerException?.Message ?? e.Message));
                }
            }
        }).ConfigureAwait(false);
        return new PublishResult(transactions.Count - failures.Count, failures);
    }

    internal static Dictionary<string, string> PartitionKey(string accountId) => new() { ["partitionKey"] = accountId };
}
