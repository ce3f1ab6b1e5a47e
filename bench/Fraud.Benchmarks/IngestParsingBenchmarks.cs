using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Fraud.Contracts;

namespace Fraud.Benchmarks;

/// <summary>
/// Reading one ingest request of 1,000 transactions (the load generator's shape: ids, amount,
/// merchant, currency, country, channel), as <c>POST /transactions</c> does before it publishes.
/// </summary>
[MemoryDiagnoser]
public class IngestParsingBenchmarks
{
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var json = new StringBuilder("[");
        var clock = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 1000; i++)
        {
            clock = clock.AddMilliseconds(17 + i % 23);
            json.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"transactionId":"load012345-{{i}}","accountId":"acct-{{i * 7919 % 100_000}}","timestamp":"{{clock:yyyy-MM-ddTHH:mm:ss.fffZ}}","amount":{{10 + i % 200}}.25,"merchantId":"merch-{{i * 31 % 20_000}}","currency":"EUR","country":"FR","channel":"card_present"}""");
        }

        _body = Encoding.UTF8.GetBytes(json.Append(']').ToString());
        if (TransactionJson.ParseBatch(_body, 1000).Transactions.Count != 1000)
        {
            throw new InvalidOperationException("The benchmark's batch does not parse whole.");
        }
    }

    [Benchmark]
    public TransactionBatch ParseBatchOf1000() => TransactionJson.ParseBatch(_body, 1000);
}
