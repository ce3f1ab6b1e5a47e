using Dapr.Actors;
using Dapr.Actors.Client;
using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Detector.Profiles;

/// <summary>
/// Account profiles through Dapr actors: a delivery is grouped by account, and each account's
/// transactions go to its actor in one call, many accounts at once.
/// </summary>
public sealed class ActorAccountProfiles(IActorProxyFactory proxies) : IAccountProfiles
{
    private const int MaxConcurrentCalls = 64;

    public async ValueTask ObserveAsync(IReadOnlyList<Transaction> batch, float[] features, bool[] fresh, bool peek, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            if (!groups.TryGetValue(batch[i].AccountId, out var indices))
            {
                groups[batch[i].AccountId] = indices = [];
            }

            indices.Add(i);
        }

        var width = FeatureVector.Length;
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentCalls, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(groups, options, async (group, _) =>
        {
            var transactions = group.Value.ConvertAll(i => batch[i]);
            var actor = Proxy(group.Key);
            var observation = await actor.ObserveAsync(new AccountBatch(transactions, peek)).ConfigureAwait(false);
            if (observation.Features.Length != transactions.Count * width || observation.Fresh.Length != transactions.Count)
            {
                throw new InvalidOperationException(
                    $"Account actor {group.Key} answered {observation.Fresh.Length} rows for {transactions.Count} transactions; detectors of different versions?");
            }

            for (var k = 0; k < transactions.Count; k++)
            {
                var i = group.Value[k];
                observation.Features.AsSpan(k * width, width).CopyTo(features.AsSpan(i * width, width));
                fresh[i] = observation.Fresh[k];
            }
        }).ConfigureAwait(false);
    }

    public async ValueTask ApplyLabelAsync(FraudLabel label, CancellationToken cancellationToken) =>
        await Proxy(label.AccountId).ApplyLabelAsync(label).ConfigureAwait(false);

    private IAccountActor Proxy(string accountId) =>
        proxies.CreateActorProxy<IAccountActor>(new ActorId(accountId), DetectorNames.AccountActorType);
}
