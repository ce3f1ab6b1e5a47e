using System.Globalization;
using Fraud.Contracts;
using Fraud.Core.Features;

namespace Fraud.Benchmarks;

/// <summary>
/// Heap bytes per tracked account: profiles, their dictionary entries and id strings, measured by
/// the GC after a full collection, for a million accounts with a few transactions each.
/// </summary>
internal static class ProfileMemory
{
    public static void Run(int accounts, int transactionsPerAccount)
    {
        var ids = new string[accounts];
        for (var i = 0; i < accounts; i++)
        {
            ids[i] = string.Create(CultureInfo.InvariantCulture, $"acct-{i:D8}");
        }

        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var features = new float[FeatureVector.Length];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var tracker = new ProfileTracker(new ProfileOptions { MaxAccounts = accounts + 1 });
        for (var k = 0; k < transactionsPerAccount; k++)
        {
            for (var i = 0; i < accounts; i++)
            {
                tracker.Observe(new Transaction
                {
                    TransactionId = "t",
                    AccountId = ids[i],
                    Timestamp = start.AddSeconds(k * 3600 + i % 3600),
                    Amount = 10 + i % 90,
                }, features);
            }
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(tracker);
        var idBytes = 0L;
        foreach (var id in ids)
        {
            idBytes += 22 + 2 * id.Length;
        }

        var perAccount = (after - before) / (double)tracker.AccountCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{tracker.AccountCount:N0} accounts, {transactionsPerAccount} transactions each: {perAccount:N0} bytes per account profile (plus {idBytes / (double)accounts:N0} bytes for its id string, held by the caller here)"));
    }
}
