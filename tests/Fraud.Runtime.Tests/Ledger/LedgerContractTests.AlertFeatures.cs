using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Runtime.Tests.Ledger;

public abstract partial class LedgerContractTests
{
    [Fact]
    public async Task Alert_features_are_read_by_any_replica_and_by_label_and_purged_with_their_time()
    {
        var (database, ledger) = await OpenFreshAsync();
        var a = OpenAnomaly(Id("fa"), "acc-1", At(2037));
        var b = OpenAnomaly(Id("fb"), "acc-2", At(2037).AddSeconds(1));
        var c = OpenAnomaly(Id("fc"), "acc-3", At(2037).AddSeconds(2));
        await ledger.WriteAsync([a, b, c], CancellationToken.None);

        float[] rowA = [1.5f, -999f, float.Epsilon, 1e30f];
        float[] rowB = [2f, 3f];
        var kept = At(2037).AddMinutes(1);
        await ledger.SaveAlertFeaturesAsync([new AlertFeatures(a.TransactionId, kept, rowA), new AlertFeatures(b.TransactionId, kept, rowB)], CancellationToken.None);
        // An id kept again keeps its first row (a detector saving what it already saved).
        await ledger.SaveAlertFeaturesAsync([new AlertFeatures(a.TransactionId, kept, [7f])], CancellationToken.None);
        await ledger.SaveAlertFeaturesAsync([], CancellationToken.None);

        var replica = Open(database);
        var read = (await replica.GetAlertFeaturesAsync([a.TransactionId, b.TransactionId, c.TransactionId, Id("nope")], CancellationToken.None))
            .ToDictionary(f => f.TransactionId);
        Assert.Equal([a.TransactionId, b.TransactionId], read.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(rowA, read[a.TransactionId].Features);
        Assert.Equal(rowB, read[b.TransactionId].Features);
        Assert.Equal(kept, read[a.TransactionId].RecordedAt);
        Assert.Empty(await replica.GetAlertFeaturesAsync([], CancellationToken.None));

        // Labelled ones with kept features, newest label first, up to a label sequence.
        Assert.Empty(await replica.LabelledFeaturesAsync(long.MaxValue, 10, CancellationToken.None));
        await ledger.RecordLabelAsync(new FraudLabel(b.TransactionId, b.AccountId, null, b.Timestamp, false), kept, CancellationToken.None);
        await ledger.RecordLabelAsync(new FraudLabel(c.TransactionId, c.AccountId, null, c.Timestamp, true), kept, CancellationToken.None);
        await ledger.RecordLabelAsync(new FraudLabel(a.TransactionId, a.AccountId, null, a.Timestamp, true), kept, CancellationToken.None);
        var labels = await replica.LabelsAfterAsync(0, 10, CancellationToken.None);
        var labelled = await replica.LabelledFeaturesAsync(labels[^1].Sequence, 10, CancellationToken.None);
        Assert.Equal([a.TransactionId, b.TransactionId], labelled.Select(l => l.TransactionId));
        Assert.Equal([true, false], labelled.Select(l => l.IsFraud));
        Assert.Equal(rowA, labelled[0].Features);
        Assert.Equal([b.TransactionId], (await replica.LabelledFeaturesAsync(labels[0].Sequence, 10, CancellationToken.None)).Select(l => l.TransactionId));
        Assert.Equal([a.TransactionId], (await replica.LabelledFeaturesAsync(long.MaxValue, 1, CancellationToken.None)).Select(l => l.TransactionId));

        await ledger.PurgeAsync(kept, CancellationToken.None);
        Assert.Equal(2, (await replica.GetAlertFeaturesAsync([a.TransactionId, b.TransactionId], CancellationToken.None)).Count);
        await ledger.PurgeAsync(kept.AddTicks(10), CancellationToken.None);
        Assert.Empty(await replica.GetAlertFeaturesAsync([a.TransactionId, b.TransactionId], CancellationToken.None));
    }
}
