using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>
/// Token buckets: per client IP for callers without a key (here 5/s), per key for keyed callers (a
/// key's own rate, else the default), 429 with Retry-After when empty, health and metrics never limited.
/// Each burst is sent all at once; a bucket of N refilled N per second lets through at most
/// N × (1 + elapsed seconds), which the assertions allow for, so a slow machine only weakens, never breaks, them.
/// </summary>
public sealed class RateLimitTests(RateLimitTests.Fixture fixture) : IClassFixture<RateLimitTests.Fixture>
{
    private const int PerIp = 5;
    private const int LimitedKeyRate = 3;
    private const string LimitedKey = "limited-key-0123456789";
    private const string RoomyKey = "roomy-key-0123456789";
    private const int Burst = 40;

    [Fact]
    public async Task Callers_without_a_key_are_limited_per_IP_with_Retry_After()
    {
        var (responses, elapsed) = await BurstAsync(fixture.Keyed.Http, "/");

        AssertLimited(responses, PerIp, elapsed);
        var refused = responses.First(r => r.Status == HttpStatusCode.TooManyRequests);
        Assert.Contains("\"status\":429", refused.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_API_on_loopback_is_not_limited()
    {
        // A newcomer's script of 300 concurrent posts used to get 140 × 429 from the open local API.
        var (responses, _) = await BurstAsync(fixture.Open.Http, "stats", 300);

        Assert.All(responses, r => Assert.True(r.Status == HttpStatusCode.OK, $"{r.Status}: {r.Body}"));
    }

    [Theory]
    [InlineData("health/live")]
    [InlineData("health/ready")]
    [InlineData("health")]
    [InlineData("metrics")]
    public async Task Health_and_metrics_are_never_limited(string path)
    {
        // Drain the IP's bucket first: probes must get through all the same.
        await BurstAsync(fixture.Keyed.Http, "/");

        var (responses, _) = await BurstAsync(fixture.Keyed.Http, path);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
    }

    [Fact]
    public async Task Each_key_has_its_own_bucket_independent_of_the_IP_and_of_other_keys()
    {
        // The IP's bucket is empty, and the limited key empties its own.
        await BurstAsync(fixture.Keyed.Http, "/");
        var (limited, elapsed) = await BurstAsync(fixture.Keyed.Client(LimitedKey), "stats");
        AssertLimited(limited, LimitedKeyRate, elapsed);

        // Another key from the same address has the default per-key budget, far above the IP's.
        var (roomy, _) = await BurstAsync(fixture.Keyed.Client(RoomyKey), "stats");
        Assert.All(roomy, r => Assert.True(r.Status == HttpStatusCode.OK, $"{r.Status}: {r.Body}"));
    }

    private static void AssertLimited(IReadOnlyList<Answer> responses, int perSecond, TimeSpan elapsed)
    {
        var ok = responses.Count(r => r.Status == HttpStatusCode.OK);
        var refused = responses.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(responses.Count, ok + refused.Count);
        Assert.True(ok <= perSecond * (1 + Math.Ceiling(elapsed.TotalSeconds)), $"{ok} of {responses.Count} let through in {elapsed.TotalSeconds:0.00} s at {perSecond}/s");
        Assert.True(refused.Count > 0, $"none of {responses.Count} requests in {elapsed.TotalSeconds:0.00} s was refused at {perSecond}/s");
        Assert.All(refused, r => Assert.InRange(int.Parse(r.RetryAfter!, CultureInfo.InvariantCulture), 1, 60));
    }

    private static async Task<(IReadOnlyList<Answer> Responses, TimeSpan Elapsed)> BurstAsync(HttpClient http, string path, int count = Burst)
    {
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var response = await http.GetAsync(path);
            return new Answer(response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        }));
        return (answers, clock.Elapsed);
    }

    private sealed record Answer(HttpStatusCode Status, string? RetryAfter, string Body);

    public sealed class Fixture : IAsyncLifetime
    {
        private ApiHost? _keyed;
        private ApiHost? _open;

        public ApiHost Keyed => _keyed!;

        public ApiHost Open => _open!;

        public async Task InitializeAsync()
        {
            _keyed = await ApiHost.StartAsync(
            [
                $"Fraud:Api:RequestsPerSecondPerIp={PerIp}",
                .. Keys.Setting(0, "limited", LimitedKey, "analyst", LimitedKeyRate),
                .. Keys.Setting(1, "roomy", RoomyKey, "analyst"),
            ]);
            _open = await ApiHost.StartAsync($"Fraud:Api:RequestsPerSecondPerIp={PerIp}");
        }

        public async Task DisposeAsync()
        {
            if (_keyed is not null)
            {
                await _keyed.DisposeAsync();
            }

            if (_open is not null)
            {
                await _open.DisposeAsync();
            }
        }
    }
}
