using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Fraud.LoadTest;

/// <summary>
/// The memory a hostile or overloaded caller can make the API hold: first many connections that
/// declare the largest body and trickle it, then many threads posting the largest batches as fast as
/// they are answered. Reports the server's working set before, at its peak in each phase, and after
/// an idle pause, with the answers counted by status.
/// </summary>
internal static class HostileLoad
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = new Uri(options.String("url"));
        var tricklers = options.Int("tricklers", 60);
        var declared = options.Int("declared-bytes", 16 * 1024 * 1024);
        var trickleSeconds = options.Number("trickle-seconds", 20);
        var threads = options.Int("threads", 64);
        var batchSize = options.Int("batch", 10_000);
        var seconds = options.Number("seconds", 30);
        using var http = IngestLoad.Client(url, tricklers + threads + 4);

        var before = await IngestLoad.WorkingSetAsync(http);
        var statuses = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        // Phase 1: bodies declared at the limit, sent at 2 KiB/s (above Kestrel's minimum data rate).
        long trickledPeak;
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(trickleSeconds)))
        {
            var sends = Enumerable.Range(0, tricklers).Select(_ => Count(statuses, "trickle", http.PostAsync("/transactions", new Trickle(declared, stop.Token)))).ToList();
            trickledPeak = await PeakWhileAsync(http, Task.WhenAll(sends));
        }

        // Phase 2: the largest batches, as fast as they are answered.
        var writer = new TransactionWriter(options.Int("accounts", 100_000), seed: 7, prefix: $"hostile{DateTime.UtcNow:HHmmss}");
        var bodies = Enumerable.Range(0, 8).Select(_ => writer.Batch(batchSize)).ToArray();
        long batchPeak;
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds)))
        {
            var senders = Enumerable.Range(0, threads).Select(i => Task.Run(async () =>
            {
                for (var n = i; !stop.IsCancellationRequested; n++)
                {
                    using var content = new ByteArrayContent(bodies[n % bodies.Length]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    await Count(statuses, "batch", http.PostAsync("/transactions", content));
                }
            })).ToList();
            batchPeak = await PeakWhileAsync(http, Task.WhenAll(senders));
        }

        await Task.Delay(TimeSpan.FromSeconds(10));
        var after = await IngestLoad.WorkingSetAsync(http);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hostile {url}: {tricklers} tricklers declaring {declared:N0} B for {trickleSeconds} s, then {threads} threads of {batchSize:N0}-transaction batches for {seconds} s"));
        Console.WriteLine($"  answers: {string.Join(", ", statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"))}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  server working set MiB: before {Mib(before):N0}, peak trickling {Mib(trickledPeak):N0}, peak batches {Mib(batchPeak):N0}, 10 s after {Mib(after):N0}"));
        return 0;
    }

    private static double Mib(long bytes) => bytes / 1048576.0;

    private static async Task Count(ConcurrentDictionary<string, int> statuses, string phase, Task<HttpResponseMessage> send)
    {
        string key;
        try
        {
            using var response = await send;
            key = $"{phase} {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            key = $"{phase} aborted";
        }

        statuses.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    private static async Task<long> PeakWhileAsync(HttpClient http, Task running)
    {
        var peak = 0L;
        while (!running.IsCompleted)
        {
            peak = Math.Max(peak, await IngestLoad.WorkingSetAsync(http));
            await Task.WhenAny(running, Task.Delay(500));
        }

        await running;
        return Math.Max(peak, await IngestLoad.WorkingSetAsync(http));
    }

    /// <summary>A JSON body of a declared length sent 2 KiB a second until cancelled.</summary>
    private sealed class Trickle : HttpContent
    {
        private readonly int _length;
        private readonly CancellationToken _stop;

        public Trickle(int length, CancellationToken stop)
        {
            _length = length;
            _stop = stop;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var chunk = new byte[2048];
            chunk.AsSpan().Fill((byte)' ');
            chunk[0] = (byte)'[';
            for (var sent = 0; sent < _length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, _length - sent)), _stop);
                await stream.FlushAsync(_stop);
                chunk[0] = (byte)' ';
                await Task.Delay(1000, _stop);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}
