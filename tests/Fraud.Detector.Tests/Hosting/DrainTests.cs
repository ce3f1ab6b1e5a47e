using System.Net;
using Fraud.Detector.Subscriptions;
using Fraud.Detector.Tests.Infrastructure;

namespace Fraud.Detector.Tests.Hosting;

/// <summary>Graceful shutdown: no new deliveries, and the ones in flight are scored and committed first.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task DrainAsync_waits_for_an_in_flight_delivery_while_new_deliveries_get_503()
    {
        await using var host = await DetectorHost.StartAsync();
        var gate = host.Get<DeliveryGate>();
        var (entered, release) = Hold(host);
        var body = Events.Bulk([.. Events.CardTestingBurst("acc-inflight", "inf", Events.T0).Select((tx, i) => Events.CloudEventEntry($"e{i}", tx))]);

        var inFlight = host.DeliverBulkAsync(body);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, gate.InFlight);
        Assert.False(await gate.DrainAsync(TimeSpan.FromMilliseconds(50)));
        var drain = gate.DrainAsync(TimeSpan.FromSeconds(30));
        var (lateStatus, _) = await host.PostAsync("/subscriptions/transactions",
            Events.Bulk(Events.CloudEventEntry("late", Events.Transaction("late-1", "acc-late", Events.T0, 3m))));
        var drainedEarly = drain.IsCompleted;
        release.SetResult();

        Assert.False(drainedEarly);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lateStatus);
        Assert.True(await drain.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.All((await inFlight).Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(0, gate.InFlight);
        Assert.NotNull(await host.Ledger.GetAnomalyAsync("inf-5", CancellationToken.None));
        Assert.Null(await host.Ledger.GetTransactionAsync("late-1", CancellationToken.None));
    }

    [Fact]
    public async Task Stopping_the_host_finishes_and_commits_the_in_flight_delivery_before_the_ledger_writer_stops()
    {
        await using var host = await DetectorHost.StartAsync(settings: new Dictionary<string, string> { ["Fraud:Detector:DrainTimeout"] = "00:00:20" });
        var gate = host.Get<DeliveryGate>();
        var (entered, release) = Hold(host);
        var body = Events.Bulk([.. Events.CardTestingBurst("acc-stop", "stop", Events.T0).Select((tx, i) => Events.CloudEventEntry($"e{i}", tx))]);

        var inFlight = host.DeliverBulkAsync(body);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = host.StopAsync();
        await Eventually(() => gate.Draining);
        var stoppedEarly = stopping.IsCompleted;
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(stoppedEarly);
        Assert.All((await inFlight).Values, s => Assert.Equal(DeliveryStatus.Success, s));
        Assert.Equal(6, host.Ledger.RowsWritten);
        Assert.NotNull(await host.Ledger.GetAnomalyAsync("stop-5", CancellationToken.None));
    }

    /// <summary>Holds the delivery at its anomaly-state save: completes <c>entered</c> there and waits for <c>release</c>.</summary>
    private static (TaskCompletionSource Entered, TaskCompletionSource Release) Hold(DetectorHost host)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Dapr.BeforeSave = () =>
        {
            entered.TrySetResult();
            return release.Task;
        };
        return (entered, release);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
