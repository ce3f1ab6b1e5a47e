using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Fraud.LoadTest;

/// <summary>
/// GET /anomalies/{id} (ids from the ledger's anomalies, spread over all pages) or
/// GET /anomalies?limit=50 at a fixed request rate, open loop, latency from each request's scheduled time.
/// </summary>
internal static class ReadLoad
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = new Uri(options.String("url"));
        var path = options.String("path", "by-id");
        var rate = options.Number("rate", 2000);
        var seconds = options.Number("seconds", 30);
        using var http = IngestLoad.Client(url, 256);
        var ids = path == "by-id" ? await AnomalyIdsAsync(http, 20_000) : [];
        if (path == "by-id" && ids.Count == 0)
        {
            Console.Error.WriteLine("no anomalies to read; fill the ledger first (Fraud.LoadTest fill)");
            return 1;
        }

        var latencies = new Latencies();
        long ok = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        var total = (long)(rate * seconds);
        // Workers share the schedule (request i is due at i / rate) and each sends its requests in
        // turn; latency counts from the due time, so a slow answer delays and is charged to the next.
        const int Workers = 64;
        var next = -1L;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = Interlocked.Increment(ref next); i < total; i = Interlocked.Increment(ref next))
            {
                var due = TimeSpan.FromSeconds(i / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var target = path == "by-id" ? $"/anomalies/{Uri.EscapeDataString(ids[random.Next(ids.Count)])}" : "/anomalies?limit=50";
                using var response = await http.GetAsync(target);
                await response.Content.LoadIntoBufferAsync();
                latencies.Add((clock.Elapsed - due).TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));

        var elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reads {path} {url} target {rate:N0} req/s for {seconds:0} s: {ok:N0} ok, {errors:N0} errors, {(ok + errors) / elapsed:N0} req/s"));
        Console.WriteLine($"  latency {latencies.Summary()}");
        return errors == 0 ? 0 : 1;
    }

    /// <summary>Writes anomaly ids from the ledger, one per line, for <c>bench/wrk/by-id.lua</c>.</summary>
    public static async Task<int> WriteIdsAsync(Options options)
    {
        var url = new Uri(options.String("url"));
        using var http = IngestLoad.Client(url, 4);
        var ids = await AnomalyIdsAsync(http, options.Int("count", 20_000));
        await File.WriteAllLinesAsync(options.String("out"), ids);
        Console.WriteLine($"{ids.Count:N0} anomaly ids written to {options.String("out")}");
        return ids.Count > 0 ? 0 : 1;
    }

    internal static async Task<List<string>> AnomalyIdsAsync(HttpClient http, int max)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await http.GetStringAsync($"/anomalies?limit=500{(cursor is null ? string.Empty : "&cursor=" + cursor)}");
            using var json = JsonDocument.Parse(page);
            foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
            {
                ids.Add(item.GetProperty("transactionId").GetString()!);
            }

            cursor = json.RootElement.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null && ids.Count < max);
        return ids;
    }
}
