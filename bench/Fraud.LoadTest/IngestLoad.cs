using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Fraud.LoadTest;

/// <summary>
/// POST /transactions in batches — at a fixed rate (open loop: each batch has its scheduled send
/// time, and latency counts from it, so a stalled server cannot hide its stall) or as fast as the
/// server acknowledges — with card-testing probes whose alert is polled until visible. Watches the
/// server's memory through /health.
/// </summary>
internal static class IngestLoad
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = new Uri(options.String("url"));
        var rate = options.Number("rate", 0);
        var batchSize = options.Int("batch", 1000);
        var seconds = options.Number("seconds", 60);
        var connections = options.Int("connections", 4);
        var probesPerSecond = options.Number("probes-per-second", 2);
        var writer = new TransactionWriter(options.Int("accounts", 100_000), seed: Environment.TickCount, prefix: $"load{DateTime.UtcNow:HHmmss}");
        using var http = Client(url, connections + 16);

        var acks = new Latencies();
        var alerts = new Latencies();
        long accepted = 0, refused = 0, failed = 0;
        var maxWorkingSet = 0L;
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(seconds);
        using var done = new CancellationTokenSource(duration);
        var batches = System.Threading.Channels.Channel.CreateBounded<(byte[] Body, int Count, TimeSpan Due)>(connections * 4);

        // Producer: batches with their due time (fixed rate) or as fast as consumers take them.
        var producer = Task.Run(async () =>
        {
            long sent = 0;
            while (!done.IsCancellationRequested)
            {
                var due = rate > 0 ? TimeSpan.FromSeconds(sent / rate) : clock.Elapsed;
                var body = writer.Batch(batchSize);
                sent += batchSize;
                try
                {
                    await batches.Writer.WriteAsync((body, batchSize, due), done.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            batches.Writer.TryComplete();
        });

        var senders = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            await foreach (var (body, count, due) in batches.Reader.ReadAllAsync())
            {
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                // At a fixed rate latency counts from the scheduled time; at max rate from the send.
                var from = rate > 0 ? due : clock.Elapsed;
                try
                {
                    using var response = await http.PostAsync("/transactions", content);
                    acks.Add((clock.Elapsed - from).TotalMilliseconds);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Interlocked.Add(ref accepted, count);
                    }
                    else if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                    {
                        Interlocked.Add(ref refused, count);
                    }
                    else
                    {
                        Interlocked.Add(ref failed, count);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Add(ref failed, count);
                    await Task.Delay(100);
                }
            }
        })).ToArray();

        var probes = probesPerSecond > 0 ? Task.Run(async () =>
        {
            var number = 0;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / probesPerSecond));
            var pending = new List<Task>();
            while (await timer.WaitForNextTickAsync(CancellationToken.None) && !done.IsCancellationRequested)
            {
                var (body, alertId) = writer.Probe(number++);
                pending.Add(ProbeAsync(http, body, alertId, alerts));
            }

            await Task.WhenAll(pending);
        }) : Task.CompletedTask;

        var memory = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                maxWorkingSet = Math.Max(maxWorkingSet, await WorkingSetAsync(http));
                try
                {
                    await Task.Delay(2000, done.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        await Task.WhenAll([producer, .. senders, probes, memory]);
        var elapsed = clock.Elapsed.TotalSeconds;
        maxWorkingSet = Math.Max(maxWorkingSet, await WorkingSetAsync(http));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ingest {url} batch {batchSize} connections {connections} {(rate > 0 ? $"target {rate:N0} tx/s" : "max rate")} for {elapsed:0.0} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  accepted {accepted:N0} ({accepted / elapsed:N0} tx/s), refused (503/429) {refused:N0}, failed {failed:N0}"));
        Console.WriteLine($"  batch ack latency      {acks.Summary()}");
        Console.WriteLine($"  ingest -> alert visible {alerts.Summary()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server working set max {maxWorkingSet / 1048576.0:N0} MiB"));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>From the moment the probe is sent until GET /anomalies/{id} finds its alert.</summary>
    private static async Task ProbeAsync(HttpClient http, byte[] body, string alertId, Latencies alerts)
    {
        var started = Stopwatch.StartNew();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var post = http.PostAsync("/transactions", content);
        while (started.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var response = await http.GetAsync($"/anomalies/{alertId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                alerts.Add(started.Elapsed.TotalMilliseconds);
                break;
            }

            await Task.Delay(1);
        }

        (await post).Dispose();
    }

    internal static async Task<long> WorkingSetAsync(HttpClient http)
    {
        try
        {
            using var health = JsonDocument.Parse(await http.GetStringAsync("/health"));
            return health.RootElement.GetProperty("memory").GetProperty("workingSetBytes").GetInt64();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
        {
            return 0;
        }
    }

    public static HttpClient Client(Uri url, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    })
    {
        BaseAddress = url,
        Timeout = TimeSpan.FromSeconds(60),
    };
}
