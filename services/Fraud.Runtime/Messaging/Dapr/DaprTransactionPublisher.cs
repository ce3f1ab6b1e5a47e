using Dapr.Client;
using Fraud.Contracts;

namespace Fraud.Runtime.Messaging.Dapr;

/// <summary>
/// Publishes on <c>pubsub/transactions</c> through the sidecar, one CloudEvent per transaction with
/// <c>partitionKey = accountId</c> (the Kafka component makes it the message key, so an account's
/// transactions share a partition). Bulk publish cannot set a key per entry, so accounts are
/// published concurrently, and each account's transactions one after the other in the order sent,
/// since that is the order its partition keeps and the detector scores them in. Once one of an
/// account's transactions fails, its later ones in the batch are not published either, so a
/// resent batch cannot put them on the partition ahead of it. A publish completes when the
/// broker acknowledged it.
/// </summary>
public sealed class DaprTransactionPublisher(DaprClient dapr) : ITransactionPublisher
{
    private const int MaxConcurrentAccounts = 64;

    public async Task<PublishResult> PublishAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancellationToken)
    {
        var failures = new List<PublishFailure>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentAccounts, CancellationToken = cancellationToken };
        var accounts = transactions.GroupBy(t => t.AccountId, StringComparer.Ordinal);
        await Parallel.ForEachAsync(accounts, options, async (account, token) =>
        {
            string? failed = null;
            foreach (var tx in account)
            {
                if (failed is not null)
                {
                    Fail(tx, $"not published, to keep the account's order: an earlier transaction of it failed ({failed})");
                    continue;
                }

                try
                {
                    await dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.TransactionsTopic, tx, PartitionKey(tx.AccountId), token).ConfigureAwait(false);
                }
                catch (global::Dapr.DaprException e)
                {
                    failed = e.InnerException?.Message ?? e.Message;
                    Fail(tx, failed);
                }
            }
        }).ConfigureAwait(false);
        return new PublishResult(transactions.Count - failures.Count, failures);

        void Fail(Transaction tx, string error)
        {
            lock (failures)
            {
                failures.Add(new PublishFailure(tx.TransactionId, error));
            }
        }
    }

    internal static Dictionary<string, string> PartitionKey(string accountId) => new() { ["partitionKey"] = accountId };
}
