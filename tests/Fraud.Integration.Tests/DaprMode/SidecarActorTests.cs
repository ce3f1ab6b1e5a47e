using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Authentication;
using Dapr;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Fraud.DaprSidecar;
using Fraud.DaprSidecar.Sidecar;
using Fraud.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// The test sidecar's actor support, through the Dapr .NET SDK on both sides: an in-test app hosts
/// <see cref="SidecarTestActor"/> with <c>AddActors</c>/<c>MapActorsHandlers</c>, callers use
/// <see cref="ActorProxy"/> against a sidecar's HTTP port. Method calls, errors, the per-actor turn,
/// placement over two hosts, and reminders (one-shot, replaced, periodic, unregistered, failing).
/// </summary>
public sealed class SidecarActorTests
{
    private const string ActorType = nameof(SidecarTestActor);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_method_call_returns_the_actors_result_through_either_proxy_and_any_sidecar()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");
        Assert.Equal([ActorType], app.Sidecar.ActorConfig!.Entities);
        Assert.Contains(ActorType, app.Sidecar.HostedActorTypes);

        var typed = ActorProxy.Create<ISidecarTestActor>(new ActorId("a-1"), ActorType, app.ProxyOptions());
        Assert.Equal("case-app/a-1: hello", await typed.EchoAsync("hello"));

        var untyped = ActorProxy.Create(new ActorId("a-2"), ActorType, app.ProxyOptions());
        Assert.Equal("case-app/a-2: hi", await untyped.InvokeMethodAsync<string, string>(nameof(ISidecarTestActor.EchoAsync), "hi"));

        // Another app's sidecar, which hosts nothing, routes to the host; its own token is checked.
        var other = await cluster.AddSidecarAsync("caller", LoopbackPort.Free(), daprApiToken: "caller-token");
        var viaOther = ActorProxy.Create<ISidecarTestActor>(new ActorId("a-1"), ActorType, new ActorProxyOptions
        {
            HttpEndpoint = $"http://127.0.0.1:{other.HttpPort}",
            DaprApiToken = "caller-token",
            UseJsonSerialization = true,
        });
        Assert.Equal("case-app/a-1: again", await viaOther.EchoAsync("again"));

        Assert.Equal(2, cluster.CallsOf("case-app", k => k == "actor-invoke"));
        Assert.Equal(1, cluster.CallsOf("caller", k => k == "actor-invoke"));
        Assert.Equal(3, cluster.CallsOf("case-app", k => k == "app:actor-invoke"));
        Assert.Equal(3, app.Log.AppTokens.Count(t => t == app.AppToken)); // the app API token went with each call

        var noToken = ActorProxy.Create<ISidecarTestActor>(new ActorId("a-1"), ActorType, app.ProxyOptions(token: false));
        await Assert.ThrowsAsync<AuthenticationException>(() => noToken.EchoAsync("x")); // the SDK's answer to 401
        Assert.Equal(3, cluster.CallsOf("case-app", k => k == "app:actor-invoke"));
    }

    [Fact]
    public async Task An_actor_method_that_throws_comes_back_to_the_caller_as_an_exception()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");

        // Remoting: the app answers 200 with X-DaprErrorResponseHeader, which daprd passes back as it is.
        var typed = ActorProxy.Create<ISidecarTestActor>(new ActorId("f-1"), ActorType, app.ProxyOptions());
        var remote = await Assert.ThrowsAsync<ActorMethodInvocationException>(() => typed.FailAsync("no such case"));
        var inner = Assert.IsType<ActorInvokeException>(remote.InnerException);
        Assert.Equal(typeof(InvalidOperationException).FullName, inner.ActualExceptionType);
        Assert.Contains("no such case", inner.Message, StringComparison.Ordinal);

        // Without remoting the app's exception is a 500, which daprd turns into ERR_ACTOR_INVOKE_METHOD.
        var untyped = ActorProxy.Create(new ActorId("f-1"), ActorType, app.ProxyOptions());
        var plain = await Assert.ThrowsAsync<DaprApiException>(() => untyped.InvokeMethodAsync<string>(nameof(ISidecarTestActor.FailAsync), "no such case"));
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", plain.ErrorCode);
        Assert.StartsWith("error invoke actor method: error from actor service: (500)", plain.Message, StringComparison.Ordinal);

        // An actor type nobody hosts.
        var nobody = ActorProxy.Create(new ActorId("x"), "NoSuchActor", app.ProxyOptions());
        var missing = await Assert.ThrowsAsync<DaprApiException>(() => nobody.InvokeMethodAsync<string, string>("EchoAsync", "x"));
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", missing.ErrorCode);
        Assert.Contains("did not find address for actor 'NoSuchActor/x'", missing.Message, StringComparison.Ordinal);

        // The actor is still usable afterwards.
        Assert.Equal("case-app/f-1: ok", await typed.EchoAsync("ok"));
    }

    [Fact]
    public async Task Two_calls_to_one_actor_take_turns_while_two_actors_run_at_once()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");
        const int hold = 600;

        var first = ActorProxy.Create<ISidecarTestActor>(new ActorId("t-1"), ActorType, app.ProxyOptions());
        var second = ActorProxy.Create(new ActorId("t-1"), ActorType, app.ProxyOptions());
        var other = ActorProxy.Create<ISidecarTestActor>(new ActorId("t-2"), ActorType, app.ProxyOptions());
        await Task.WhenAll(first.HoldAsync(hold), second.InvokeMethodAsync<int, int>(nameof(ISidecarTestActor.HoldAsync), hold), other.HoldAsync(hold));

        // Seen where the sidecar calls the app (the SDK also keeps a turn per actor inside the app,
        // so the actor's own timings would not show whether the sidecar waits for the turn).
        var sameActor = app.Log.Requests.Where(r => r.Path.Contains("/t-1/", StringComparison.Ordinal)).OrderBy(r => r.Start).ToList();
        Assert.Equal(2, sameActor.Count);
        Assert.True(sameActor[1].Start >= sameActor[0].End, $"the sidecar sent the second call to t-1 before the first was answered: {sameActor[0]} and {sameActor[1]}");
        var otherActor = Assert.Single(app.Log.Requests, r => r.Path.Contains("/t-2/", StringComparison.Ordinal));
        Assert.True(sameActor.Any(r => r.Start < otherActor.End && otherActor.Start < r.End), "the call to t-2 waited for t-1: different actors must run at once");
        Assert.Equal(3, app.Log.Holds.Count);
    }

    [Fact]
    public async Task Each_actor_id_stays_on_one_of_the_hosting_apps()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var one = await ActorApp.StartAsync(cluster, "case-app-1");
        await using var two = await ActorApp.StartAsync(cluster, "case-app-2");

        var ids = Enumerable.Range(0, 24).Select(i => $"p-{i}").ToList();
        foreach (var id in ids.Concat(ids))
        {
            var expected = cluster.FindActorHost(ActorType, id)!.AppId;
            var proxy = ActorProxy.Create<ISidecarTestActor>(new ActorId(id), ActorType, (id.Length % 2 == 0 ? one : two).ProxyOptions());
            Assert.Equal($"{expected}/{id}: x", await proxy.EchoAsync("x"));
        }

        Assert.Contains(ids, id => cluster.FindActorHost(ActorType, id)!.AppId == "case-app-1");
        Assert.Contains(ids, id => cluster.FindActorHost(ActorType, id)!.AppId == "case-app-2");
        Assert.Equal(48, cluster.CallsOf("case-app-1", k => k == "app:actor-invoke") + cluster.CallsOf("case-app-2", k => k == "app:actor-invoke"));

        // Once one host stops, every id is on the other.
        await two.Sidecar.StopAsync();
        Assert.All(ids, id => Assert.Equal("case-app-1", cluster.FindActorHost(ActorType, id)!.AppId));
    }

    [Fact]
    public async Task A_one_shot_reminder_fires_once_with_its_data_and_registering_the_name_again_replaces_it()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");
        var actor = ActorProxy.Create<ISidecarTestActor>(new ActorId("r-1"), ActorType, app.ProxyOptions());

        var registered = Stopwatch.StartNew();
        await actor.RemindAsync("once", [1, 2, 3], 1000, -1);
        var stored = Assert.Single(cluster.Reminders);
        Assert.Equal((ActorType, "r-1", "once", "0h0m1s0ms", ""), (stored.ActorType, stored.ActorId, stored.Name, stored.DueTime, stored.Period));
        Assert.Equal([1, 2, 3], stored.DataFromBase64());

        var fired = await app.Log.WaitForReminderAsync("r-1", "once", Wait);
        Assert.InRange(registered.Elapsed, TimeSpan.FromMilliseconds(900), Wait);
        Assert.Equal([1, 2, 3], fired.State);
        // The Scheduler's trigger carries no due time or period: the SDK reads "" as -1 ms.
        Assert.Equal((TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(-1)), (fired.DueTime, fired.Period));
        await Task.Delay(1500);
        Assert.Single(app.Log.Reminders, r => r.Name == "once");
        Assert.Empty(cluster.Reminders);

        // The same name twice: the second registration (due later, other data) replaces the first.
        await actor.RemindAsync("again", [9], 1000, -1);
        await actor.RemindAsync("again", [7, 7], 1500, -1);
        Assert.Equal("0h0m1s500ms", Assert.Single(cluster.Reminders).DueTime);
        Assert.Equal([7, 7], (await app.Log.WaitForReminderAsync("r-1", "again", Wait)).State);
        await Task.Delay(1500);
        Assert.Single(app.Log.Reminders, r => r.Name == "again");
        Assert.Empty(cluster.Reminders);

        Assert.Equal(3, cluster.CallsOf("case-app", k => k == "actor-reminder-register"));
        Assert.Equal(2, cluster.CallsOf("case-app", k => k == "app:actor-reminder-fire"));
    }

    [Fact]
    public async Task A_periodic_reminder_fires_every_period_until_it_is_unregistered()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");
        var actor = ActorProxy.Create<ISidecarTestActor>(new ActorId("r-2"), ActorType, app.ProxyOptions());

        await actor.RemindAsync("tick", [5], 500, 700);
        Assert.Equal("0h0m0s700ms", Assert.Single(cluster.Reminders).Period);
        await app.Log.WaitForReminderAsync("r-2", "tick", Wait, count: 3);
        await actor.ForgetAsync("tick");
        Assert.Empty(cluster.Reminders);

        var count = app.Log.Reminders.Count(r => r.Name == "tick");
        await Task.Delay(2000);
        Assert.Equal(count, app.Log.Reminders.Count(r => r.Name == "tick"));
        // Ticks are due a period apart from the first (a late delivery does not move the next one).
        var times = app.Log.Reminders.Where(r => r.Name == "tick").Select(r => r.At).Order().ToList();
        Assert.InRange((times[^1] - times[0]) / (times.Count - 1), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(1200));

        // A one-shot reminder unregistered before it is due never fires.
        await actor.RemindAsync("never", [1], 1500, -1);
        await actor.ForgetAsync("never");
        await Task.Delay(2500);
        Assert.DoesNotContain(app.Log.Reminders, r => r.Name == "never");
        Assert.Equal(2, cluster.CallsOf("case-app", k => k == "actor-reminder-unregister"));
    }

    [Fact]
    public async Task A_reminder_waits_for_the_actors_turn()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");
        var actor = ActorProxy.Create<ISidecarTestActor>(new ActorId("r-4"), ActorType, app.ProxyOptions());

        await actor.RemindAsync("turn", [1], 300, -1);
        await actor.HoldAsync(1500); // due while the actor is busy
        await app.Log.WaitForReminderAsync("r-4", "turn", Wait);

        var hold = await app.Log.WaitForRequestAsync("/r-4/method/HoldAsync", Wait);
        var reminder = await app.Log.WaitForRequestAsync("/r-4/method/remind/turn", Wait);
        Assert.True(reminder.Start >= hold.End, $"the sidecar sent the reminder at {reminder.Start:HH:mm:ss.fff}, during the call that ended at {hold.End:HH:mm:ss.fff}");
    }

    [Fact]
    public async Task A_reminder_the_app_fails_is_tried_three_more_times_a_second_apart_then_dropped()
    {
        await using var cluster = await DaprTestCluster.StartAsync(DaprModeSystem.RepositoryRoot);
        await using var app = await ActorApp.StartAsync(cluster, "case-app");
        var actor = ActorProxy.Create<ISidecarTestActor>(new ActorId("r-3"), ActorType, app.ProxyOptions());

        await actor.RemindAsync("fail-once", [1], 200, -1);
        await app.Log.WaitForReminderAsync("r-3", "fail-once", Wait, count: 4);
        await Task.Delay(2000);
        Assert.Equal(4, app.Log.Reminders.Count(r => r.Name == "fail-once"));
        // Retry n is due n seconds after the tick (timed where the app receives them; the first
        // attempt may start late on a busy machine, which shortens the first gap).
        var attempts = app.Log.Requests.Where(r => r.Path.EndsWith("/remind/fail-once", StringComparison.Ordinal)).Select(r => r.Start).Order().ToList();
        Assert.Equal(4, attempts.Count);
        Assert.All(attempts.Zip(attempts.Skip(1)), pair => Assert.InRange(pair.Second - pair.First, TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(1600)));
        Assert.InRange(attempts[^1] - attempts[0], TimeSpan.FromMilliseconds(2400), TimeSpan.FromMilliseconds(3600));
        Assert.Empty(cluster.Reminders);
        Assert.Equal(4, cluster.CallsOf("case-app", k => k == "app:actor-reminder-fire"));
    }

    /// <summary>The actor interface the proxies implement (public: the SDK generates its proxy type).</summary>
    public interface ISidecarTestActor : IActor
    {
        Task<string> EchoAsync(string text);

        Task<int> HoldAsync(int milliseconds);

        Task FailAsync(string message);

        Task RemindAsync(string name, byte[] state, int dueMilliseconds, int periodMilliseconds);

        Task ForgetAsync(string name);
    }

    public sealed class SidecarTestActor(ActorHost host, ActorLog log) : Actor(host), ISidecarTestActor, IRemindable
    {
        public Task<string> EchoAsync(string text) => Task.FromResult($"{log.AppId}/{Id}: {text}");

        public async Task<int> HoldAsync(int milliseconds)
        {
            var start = DateTime.UtcNow;
            await Task.Delay(milliseconds);
            log.Holds.Enqueue((Id.GetId(), start, DateTime.UtcNow));
            return milliseconds;
        }

        public Task FailAsync(string message) => throw new InvalidOperationException(message);

        public Task RemindAsync(string name, byte[] state, int dueMilliseconds, int periodMilliseconds) =>
            RegisterReminderAsync(name, state, TimeSpan.FromMilliseconds(dueMilliseconds), TimeSpan.FromMilliseconds(periodMilliseconds));

        public Task ForgetAsync(string name) => UnregisterReminderAsync(name);

        public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
        {
            log.Reminders.Enqueue(new FiredReminder(Id.GetId(), reminderName, state, dueTime, period, DateTime.UtcNow));
            return reminderName.StartsWith("fail", StringComparison.Ordinal) ? throw new InvalidOperationException("reminder failed") : Task.CompletedTask;
        }
    }

    public sealed record FiredReminder(string ActorId, string Name, byte[] State, TimeSpan DueTime, TimeSpan Period, DateTime At);

    /// <summary>What the app's actors saw, shared with the test.</summary>
    public sealed class ActorLog(string appId)
    {
        public string AppId { get; } = appId;

        public ConcurrentQueue<(string Id, DateTime Start, DateTime End)> Holds { get; } = new();

        public ConcurrentQueue<FiredReminder> Reminders { get; } = new();

        public ConcurrentQueue<string?> AppTokens { get; } = new();

        /// <summary>The sidecar's calls to the app's actor routes, from arrival to answer.</summary>
        public ConcurrentQueue<(string Path, DateTime Start, DateTime End)> Requests { get; } = new();

        public async Task<(string Path, DateTime Start, DateTime End)> WaitForRequestAsync(string pathEnd, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var seen = Requests.Where(r => r.Path.EndsWith(pathEnd, StringComparison.Ordinal)).ToList();
                if (seen.Count > 0)
                {
                    return Assert.Single(seen);
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the app was not called at {pathEnd} within {timeout.TotalSeconds:0} s");
                }

                await Task.Delay(50);
            }
        }

        public async Task<FiredReminder> WaitForReminderAsync(string actorId, string name, TimeSpan timeout, int count = 1)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var fired = Reminders.Where(r => r.ActorId == actorId && r.Name == name).ToList();
                if (fired.Count >= count)
                {
                    return fired[count - 1];
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"reminder {name} of {actorId} fired {fired.Count} times, not {count}, within {timeout.TotalSeconds:0} s");
                }

                await Task.Delay(50);
            }
        }
    }

    /// <summary>An in-test ASP.NET app hosting <see cref="SidecarTestActor"/>, with its sidecar; both tokens set.</summary>
    private sealed class ActorApp : IAsyncDisposable
    {
        private readonly WebApplication _web;

        private ActorApp(WebApplication web, TestSidecar sidecar, ActorLog log, string appToken, string daprToken)
        {
            _web = web;
            Sidecar = sidecar;
            Log = log;
            AppToken = appToken;
            DaprToken = daprToken;
        }

        public TestSidecar Sidecar { get; }

        public ActorLog Log { get; }

        public string AppToken { get; }

        public string DaprToken { get; }

        public static async Task<ActorApp> StartAsync(DaprTestCluster cluster, string appId)
        {
            var appToken = "app-" + Guid.NewGuid().ToString("N");
            var daprToken = "dapr-" + Guid.NewGuid().ToString("N");
            var port = LoopbackPort.Free();
            var sidecar = await cluster.AddSidecarAsync(appId, port, appToken, daprToken);
            var log = new ActorLog(appId);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Services.AddSingleton(log);
            builder.Services.AddActors(options =>
            {
                options.Actors.RegisterActor<SidecarTestActor>();
                options.HttpEndpoint = $"http://127.0.0.1:{sidecar.HttpPort}";
                options.DaprApiToken = daprToken;
                options.UseJsonSerialization = true;
            });
            var web = builder.Build();
            web.Use(async (context, next) =>
            {
                if (!context.Request.Path.StartsWithSegments("/actors", StringComparison.Ordinal))
                {
                    await next(context);
                    return;
                }

                log.AppTokens.Enqueue(context.Request.Headers[TestSidecar.ApiTokenHeader]);
                var start = DateTime.UtcNow;
                try
                {
                    await next(context);
                }
                finally
                {
                    log.Requests.Enqueue((context.Request.Path.Value!, start, DateTime.UtcNow));
                }
            });
            web.MapActorsHandlers();
            await web.StartAsync();
            var app = new ActorApp(web, sidecar, log, appToken, daprToken);
            try
            {
                await sidecar.AttachAsync(TimeSpan.FromSeconds(30));
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            return app;
        }

        public ActorProxyOptions ProxyOptions(bool token = true) => new()
        {
            HttpEndpoint = $"http://127.0.0.1:{Sidecar.HttpPort}",
            DaprApiToken = token ? DaprToken : null,
            UseJsonSerialization = true,
        };

        public async ValueTask DisposeAsync()
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }
    }
}
