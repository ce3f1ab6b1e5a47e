using System.Net;
using Fraud.Detector.Tests.Infrastructure;

namespace Fraud.Detector.Tests.Hosting;

/// <summary>Dapr's app API token (<c>APP_API_TOKEN</c>, header <c>dapr-api-token</c>) and the loopback-only default.</summary>
public sealed class AppTokenTests
{
    private const string Token = "s3cr3t-app-token";

    [Fact]
    public async Task With_an_app_token_the_sidecar_routes_refuse_a_missing_or_wrong_token_and_accept_the_right_one()
    {
        await using var host = await DetectorHost.StartAsync(settings: new Dictionary<string, string> { ["APP_API_TOKEN"] = Token });
        var delivery = Events.Bulk(Events.CloudEventEntry("e0", Events.Transaction("tok-1", "acc-tok", Events.T0, 9m)));
        var score = Events.Transaction("tok-2", "acc-tok", Events.T0, 9m);

        foreach (var wrong in new string?[] { null, "", "wrong", Token[..^1], Token + "x", Token.ToUpperInvariant() })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/dapr/subscribe", wrong)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/DAPR/Subscribe", wrong)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.PostAsync("/subscriptions/transactions", delivery, wrong)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.PostAsync("/subscriptions/feedback", Events.CloudEvent("{}", "feedback"), wrong)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.PostAsync("/score", score, wrong)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/dapr/config", wrong)).Status);
        }

        Assert.Empty(host.Profiles.Reads);
        Assert.Null(await host.Ledger.GetTransactionAsync("tok-1", CancellationToken.None));
        // The sidecar's own discovery refused is told apart from other callers, for the alert.
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Matches("""fraud_app_token_rejections_total\{route="discovery"\} (1[89]|[2-9][0-9])""", metrics);
        Assert.Matches("""fraud_app_token_rejections_total\{route="other"\} (1[89]|[2-9][0-9])""", metrics);

        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/dapr/subscribe", Token)).Status);
        var (deliveryStatus, answer) = await host.PostAsync("/subscriptions/transactions", delivery, Token);
        Assert.Equal(HttpStatusCode.OK, deliveryStatus);
        using (answer)
        {
            Assert.Equal("SUCCESS", Events.Statuses(answer!)["e0"]);
        }

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/score", score, Token)).Status);
        Assert.NotNull(await host.Ledger.GetTransactionAsync("tok-1", CancellationToken.None));
    }

    [Fact]
    public async Task Health_and_metrics_stay_open_when_an_app_token_is_configured()
    {
        await using var host = await DetectorHost.StartAsync(settings: new Dictionary<string, string> { ["APP_API_TOKEN"] = Token });

        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/health/live")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/health/ready")).Status);
        using var metrics = await host.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("fraud_", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_app_token_on_loopback_the_sidecar_routes_are_open()
    {
        await using var host = await DetectorHost.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/dapr/subscribe")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/dapr/subscribe", "anything")).Status);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081")]
    [InlineData("http://+:8081")]
    [InlineData("http://127.0.0.1:8081;http://10.1.2.3:8081")]
    public void Binding_beyond_loopback_without_an_app_token_refuses_to_start_and_says_what_to_set(string urls)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Program.Create(
            ["--urls", urls, "--Fraud:Runtime:Mode=Dapr", "--Fraud:Ledger:ConnectionString=unused.db"]));

        Assert.Contains("APP_API_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Contains("beyond loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains(urls.Split(';')[^1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_configured_for_Kestrel_beyond_loopback_without_a_token_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DetectorHost.StartAsync(
            settings: new Dictionary<string, string> { ["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:0" }));

        Assert.Contains("APP_API_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Contains("beyond loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://0.0.0.0:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8081", Token)]
    [InlineData("http://localhost:8081", null)]
    [InlineData("http://[::1]:8081", null)]
    public async Task Binding_beyond_loopback_with_a_token_or_on_loopback_without_one_is_allowed(string urls, string? token)
    {
        string[] args = token is null
            ? ["--urls", urls, "--Fraud:Runtime:Mode=Dapr", "--Fraud:Ledger:ConnectionString=unused.db"]
            : ["--urls", urls, "--APP_API_TOKEN", token, "--Fraud:Runtime:Mode=Dapr", "--Fraud:Ledger:ConnectionString=unused.db"];

        await using var app = Program.Create(args);

        Assert.NotNull(app);
    }
}
