using System.Net;
using Fraud.Api.Tests.Infrastructure;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging.Embedded;

namespace Fraud.Api.Tests;

/// <summary>
/// When the ledger cannot commit, the bounded bus fills and a publisher is refused with 503 and
/// Retry-After instead of queueing without bound; nothing of a refused batch is kept, and the
/// transaction that was waiting is acknowledged once the ledger is free again. The ledger is
/// stalled by another connection holding SQLite's write lock (BEGIN IMMEDIATE), released at the end.
/// </summary>
public sealed class BackpressureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_full_bus_answers_503_with_Retry_After_and_recovers_when_the_ledger_does()
    {
        await using var host = await ApiHost.StartAsync(
            "Fraud:Bus:Capacity=1",
            "Fraud:Bus:PublishTimeout=00:00:00.300",
            "Fraud:Ledger:CommandTimeout=00:02:00");
        using (var warm = await host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("bp-0", "acct-bp", Tx.T0)])))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, warm);
        }

        var bus = host.Service<EmbeddedBus>();
        var writer = host.Service<LedgerWriter>();
        Task<HttpResponseMessage> waiting;
        using (var blocker = host.OpenLedger())
        {
            using var writeLock = blocker.BeginTransaction(deferred: false);
            try
            {
                waiting = host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("bp-1", "acct-bp", Tx.T0.AddMinutes(1))]));

                // The first publish takes the bus's only slot and waits on the stalled commit.
                await Until(() => bus.Pending == 1 && writer.PendingRows == 1, "the first transaction to reach the stalled ledger");
                Assert.False(waiting.IsCompleted, "a 202 before the ledger committed");

                using var refused = await host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("bp-2", "acct-bp", Tx.T0.AddMinutes(2)), Tx.Quiet("bp-3", "acct-bp", Tx.T0.AddMinutes(3))]));
                HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.ServiceUnavailable, refused), HttpStatusCode.ServiceUnavailable);
                Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

                // Health and reads still answer while ingest is saturated.
                using var live = await host.Http.GetAsync("health/live");
                await HttpAssert.StatusAsync(HttpStatusCode.OK, live);
                using var notYet = await host.Http.GetAsync("transactions/bp-1");
                await HttpAssert.StatusAsync(HttpStatusCode.NotFound, notYet);
                Assert.False(waiting.IsCompleted, "a 202 before the ledger committed");
            }
            finally
            {
                writeLock.Rollback();
            }
        }

        using (var acknowledged = await waiting.WaitAsync(Patience))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, acknowledged);
        }

        Assert.Equal("acct-bp", (await host.Http.OkJsonAsync("transactions/bp-1")).Str("accountId"));
        foreach (var id in new[] { "bp-2", "bp-3" })
        {
            using var read = await host.Http.GetAsync($"transactions/{id}");
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
        }

        // The refused batch goes through when resent.
        using var resent = await host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("bp-2", "acct-bp", Tx.T0.AddMinutes(2)), Tx.Quiet("bp-3", "acct-bp", Tx.T0.AddMinutes(3))]));
        Assert.Equal(2, (await HttpAssert.StatusAsync(HttpStatusCode.Accepted, resent))!["accepted"]!.GetValue<int>());
        Assert.Equal(0, bus.Pending);
    }

    [Fact]
    public async Task A_ledger_that_fails_to_commit_is_a_503_with_Retry_After_and_nothing_is_acknowledged()
    {
        // The ledger gives up on its write lock after a second; the lock is held until the answer is in.
        await using var host = await ApiHost.StartAsync("Fraud:Ledger:CommandTimeout=00:00:01");
        using (var warm = await host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("lf-0", "acct-lf", Tx.T0)])))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, warm);
        }

        using (var blocker = host.OpenLedger())
        {
            using var writeLock = blocker.BeginTransaction(deferred: false);
            try
            {
                using var failed = await host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("lf-1", "acct-lf", Tx.T0.AddMinutes(1))]));
                HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.ServiceUnavailable, failed), HttpStatusCode.ServiceUnavailable);
                Assert.NotNull(failed.Headers.RetryAfter?.Delta);
            }
            finally
            {
                writeLock.Rollback();
            }
        }

        using (var read = await host.Http.GetAsync("transactions/lf-1"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
        }

        using var resent = await host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("lf-1", "acct-lf", Tx.T0.AddMinutes(1))]));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, resent);
        Assert.Equal("acct-lf", (await host.Http.OkJsonAsync("transactions/lf-1")).Str("accountId"));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}
