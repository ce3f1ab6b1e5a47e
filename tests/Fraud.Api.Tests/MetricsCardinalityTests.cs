using System.Net;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>No caller can grow <c>/metrics</c>: every label of the request metrics comes from a known set.</summary>
public sealed class MetricsCardinalityTests
{
    [Fact]
    public async Task Made_up_methods_are_refused_before_they_are_counted()
    {
        await using var host = await ApiHost.StartAsync();
        var methods = Enumerable.Range(0, 60).Select(i => $"X{i:x4}").Append("TRACE").ToList();

        foreach (var method in methods)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "anomalies");
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        }

        using (var known = await host.Http.GetAsync("anomalies"))
        {
            Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        }

        var metrics = await host.Http.GetStringAsync("metrics");
        var counted = metrics.Split('\n').Where(l => l.StartsWith("http_requests_received_total{", StringComparison.Ordinal)).ToList();
        Assert.Contains(counted, l => l.Contains("method=\"GET\"", StringComparison.Ordinal));
        foreach (var method in methods)
        {
            Assert.DoesNotContain(counted, l => l.Contains($"method=\"{method}\"", StringComparison.Ordinal));
        }
    }
}
