using System.Diagnostics;
using System.Globalization;
using Fraud.Contracts;
using Fraud.Runtime;
using Fraud.Runtime.Ledger;

namespace Fraud.LoadTest;

/// <summary>
/// Fills a ledger with scored transactions (a share of them anomalies) for the read benchmarks,
/// scored at an even rate up to the moment the fill starts: rows older than the ledger's retention
/// (30 days by default) would be purged by the server the benchmark then starts.
/// </summary>
internal static class LedgerFill
{
    private static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(28);

    public static async Task<int> RunAsync(Options options)
    {
        var rows = options.Int("rows", 1_000_000);
        var share = options.Number("anomaly-share", 0.02);
        var perSecond = options.Number("rows-per-second", rows / DefaultSpan.TotalSeconds);
        var ledgerOptions = new LedgerOptions { ConnectionString = options.String("ledger") };
        var ledger = LedgerFactory.Create(ledgerOptions, RuntimeMode.Embedded);
        await ledger.MigrateAsync(CancellationToken.None);
        var random = new Random(11);
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var start = end.AddSeconds(-rows / perSecond - 1);
        var reasons = new[] { new Reason("CARD_TESTING", "12 small transactions within the hour before this one", 0.7), new Reason("VELOCITY", "13 transactions within the hour", 0.3) };
        var clock = Stopwatch.StartNew();
        var batch = new List<ScoredTransaction>(5000);
        for (var i = 0; i < rows; i++)
        {
            var tx = new Transaction
            {
                TransactionId = $"fill-{i}",
                AccountId = $"acct-{random.Next(1_000_000)}",
                Timestamp = start.AddSeconds(i / perSecond),
                Amount = Math.Round((decimal)(random.NextDouble() * 300 + 1), 2),
                MerchantId = $"merch-{random.Next(20_000)}",
                Currency = "EUR",
                Country = "FR",
                Channel = Channel.Online,
            };
            var anomaly = random.NextDouble() < share;
            var score = anomaly ? 0.5 + random.NextDouble() * 0.5 : random.NextDouble() * 0.3;
            var severity = score >= 0.9 ? Severity.Critical : score >= 0.75 ? Severity.High : score >= 0.5 ? Severity.Medium : score >= 0.25 ? Severity.Low : Severity.None;
            var scored = new ScoredTransaction(tx, score, severity, severity == Severity.None ? [] : reasons, "fill", start.AddSeconds(i / perSecond + 1));
            batch.Add(anomaly ? new Anomaly(scored) : scored);
            if (batch.Count == 5000)
            {
                await ledger.WriteAsync(batch, CancellationToken.None);
                batch.Clear();
            }
        }

        await ledger.WriteAsync(batch, CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"filled {ledger.Kind} ledger with {rows:N0} rows (~{share:P0} anomalies) scored from {start:yyyy-MM-ddTHH:mm:ssZ} to {end:yyyy-MM-ddTHH:mm:ssZ}, in {clock.Elapsed.TotalSeconds:0.0} s ({rows / clock.Elapsed.TotalSeconds:N0} rows/s)"));
        switch (ledger)
        {
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        return 0;
    }
}
