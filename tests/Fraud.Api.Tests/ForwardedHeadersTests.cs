using System.Net;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>
/// Behind the ingress every request comes from the controller's pod: the per-IP rate limit must
/// count the client its trusted proxy names, and nobody else may choose that address.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const int PerIp = 3;
    private const int Clients = 4;
    private const int PerClient = 6;

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket()
    {
        await using var host = await ApiHost.StartAsync([$"Fraud:Api:RequestsPerSecondPerIp={PerIp}", "Fraud:Api:TrustedProxies:0=127.0.0.0/8", .. Keys.All()]);

        var (accepted, _) = await BurstsAsync(host);

        // Each client's own bucket lets at least its PerIp through.
        Assert.True(accepted >= Clients * PerIp, $"{accepted} requests got through; {Clients} clients with buckets of {PerIp} each let at least {Clients * PerIp}");
    }

    [Fact]
    public async Task Without_a_trusted_proxy_a_forwarded_address_is_ignored()
    {
        await using var host = await ApiHost.StartAsync([$"Fraud:Api:RequestsPerSecondPerIp={PerIp}", .. Keys.All()]);

        var (accepted, elapsed) = await BurstsAsync(host);

        // One bucket for all (the connection's address), refilled PerIp a second.
        var most = PerIp * (1 + (int)Math.Ceiling(elapsed.TotalSeconds));
        Assert.True(accepted <= most, $"{accepted} requests got through in {elapsed.TotalSeconds:0.00} s; one bucket of {PerIp}/s allows {most}");
    }

    [Fact]
    public async Task A_trusted_proxy_that_is_not_an_address_stops_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await ApiHost.StartAsync("Fraud:Api:TrustedProxies:0=ingress-nginx");
        });

        Assert.Contains("Fraud:Api:TrustedProxies:0", error.Message, StringComparison.Ordinal);
        Assert.Contains("ingress-nginx", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every client sends its requests without a key, one client after another; how many got past the
    /// rate limit (a 401, the key being missing, rather than a 429), and how long it took. Rate limits
    /// apply once keys are configured: an open API on loopback has none.
    /// </summary>
    private static async Task<(int Accepted, TimeSpan Elapsed)> BurstsAsync(ApiHost host)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var accepted = 0;
        for (var client = 0; client < Clients; client++)
        {
            for (var i = 0; i < PerClient; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "stats");
                request.Headers.Add("X-Forwarded-For", $"203.0.113.{client + 1}");
                using var response = await host.Http.SendAsync(request);
                accepted += response.StatusCode == HttpStatusCode.TooManyRequests ? 0 : 1;
            }
        }

        return (accepted, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }
}
