using System.Net;
using Fraud.Api.Tests.Infrastructure;
using Fraud.Host;
using Fraud.TestSupport;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Tests;

/// <summary>What the API refuses to start with: an open endpoint on a network, or keys and limits that make no sense.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://+:8080")]
    [InlineData("http://[::]:0")]
    [InlineData("http://127.0.0.1:0;http://0.0.0.0:0")]
    public void Listening_beyond_loopback_without_keys_is_refused_with_what_to_do(string urls)
    {
        using var directory = TempDirectory.Create("fraud-api-startup");

        var error = Assert.Throws<InvalidOperationException>(() => SingleProcessApp.Create(ApiHost.Arguments(directory.Combine("ledger.db"), [], urls)));

        Assert.Contains("beyond loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains("without API keys", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fraud:Api:Keys", error.Message, StringComparison.Ordinal);
        Assert.Contains(urls.Split(';')[^1], error.Message, StringComparison.Ordinal);
    }

    /// <summary><c>Kestrel:Endpoints</c> binds addresses that <c>--urls</c> does not show: the addresses really bound are checked too.</summary>
    [Fact]
    public async Task An_endpoint_configured_for_Kestrel_beyond_loopback_without_keys_stops_the_start()
    {
        using var directory = TempDirectory.Create("fraud-api-kestrel-endpoint");
        await using var app = SingleProcessApp.Create(ApiHost.Arguments(
            directory.Combine("ledger.db"), ["Kestrel:Endpoints:Public:Url=http://0.0.0.0:0"], "http://127.0.0.1:0"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("beyond loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains("without API keys", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://0.0.0.0:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_keys_it_listens_beyond_loopback_and_demands_them()
    {
        await using var host = await ApiHost.StartOnAsync("http://0.0.0.0:0", [.. Keys.All()]);

        using (var live = await host.Http.GetAsync("health/live"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.OK, live);
        }

        using (var anonymous = await host.Http.GetAsync("anomalies"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, anonymous);
        }

        await host.Client(Keys.Analyst).OkJsonAsync("anomalies");
    }

    [Fact]
    public async Task Without_keys_on_loopback_every_caller_is_the_local_user_with_every_role()
    {
        await using var host = await ApiHost.StartAsync();

        using (var ingest = await host.Http.PostAsync("transactions", Tx.Json(Tx.CardTesting("lo", "acct-lo", Tx.T0))))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, ingest);
        }

        Assert.Equal(["lo-11", "lo-10", "lo-9"], (await host.Http.OkJsonAsync("anomalies")).Ids());
    }

    [Theory]
    [InlineData("Fraud:Api:Keys:0:Key=too-short", "Fraud:Api:Keys:0", "at least 16 characters")]
    [InlineData("Fraud:Api:Keys:0:Roles:0=superuser", "Fraud:Api:Keys:0", "needs roles among")]
    [InlineData("Fraud:Api:RequestsPerSecondPerIp=0", "Fraud:Api:RequestsPerSecondPerIp", "at least 1")]
    [InlineData("Fraud:Api:MaxBatchSize=0", "Fraud:Api:MaxBatchSize", "[1, 100000]")]
    [InlineData("Fraud:Cases:IntakeInterval=60.00:00:00", "Fraud:Cases:IntakeInterval", "from 10 ms to 1 day")]
    [InlineData("Fraud:Cases:CriticalDeadline=1.00:00:00", "Fraud:Cases:CriticalDeadline", "must not have a later deadline")]
    public async Task A_bad_setting_stops_start_up_naming_it(string setting, string name, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await ApiHost.StartAsync([.. Keys.Setting(0, "bad", "a-key-long-enough-1234", "analyst"), setting]);
        });

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_keys_with_one_name_stop_start_up()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await ApiHost.StartAsync(
                [.. Keys.Setting(0, "twin", "first-key-0123456789", "analyst"), .. Keys.Setting(1, "twin", "second-key-0123456789", "ingest")]);
        });

        Assert.Contains("twin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fraud_api_alone_on_the_embedded_runtime_refuses_to_start_and_says_what_runs_everything()
    {
        using var directory = TempDirectory.Create("fraud-api-alone");
        await using var app = Program.Create(
            ["--urls=http://127.0.0.1:0", "--Fraud:Runtime:Mode=Embedded", $"--Fraud:Ledger:ConnectionString={directory.Combine("ledger.db")}"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("Nothing in this process subscribes to the transactions topic", error.Message, StringComparison.Ordinal);
        Assert.Contains("`fraud run`", error.Message, StringComparison.Ordinal);
    }
}
