using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using Fraud.DaprSidecar.Actors;
using Fraud.DaprSidecar.PubSub;
using Fraud.DaprSidecar.Sidecar;
using Fraud.DaprSidecar.State;
using Fraud.TestSupport;
using StackExchange.Redis;

namespace Fraud.DaprSidecar;

/// <summary>
/// What the sidecars of one test share, as daprd's share a cluster: the Redis behind the state
/// stores (a real <c>redis-server</c>), the Kafka (<see cref="Broker"/>), actor placement
/// (<see cref="FindActorHost"/>) and the Scheduler's actor reminders (<see cref="Reminders"/>), and a
/// count of every call an app made to its sidecar (<see cref="Calls"/>). Not a product: it speaks
/// the part of the Dapr API the services use, transcribed from daprd's source.
/// </summary>
public sealed class DaprTestCluster : IAsyncDisposable
{
    private readonly List<TestSidecar> _sidecars = [];

    private DaprTestCluster(SidecarSettings settings, RedisServer redis, ConnectionMultiplexer connection)
    {
        Settings = settings;
        Redis = redis;
        RedisConnection = connection;
        State = new RedisStateStore(connection);
        Scheduler = new ReminderScheduler(this);
    }

    public SidecarSettings Settings { get; }

    public RedisServer Redis { get; }

    public IConnectionMultiplexer RedisConnection { get; }

    public RedisStateStore State { get; }

    public Broker Broker { get; } = new();

    /// <summary>
    /// Calls from apps to their sidecars, by app id and kind (e.g. <c>fraud-detector</c>, <c>actor-invoke</c>),
    /// and from sidecars to their apps (kinds <c>app:…</c>, e.g. <c>app:actor-invoke</c>, <c>app:actor-reminder-fire</c>).
    /// </summary>
    public ConcurrentDictionary<(string AppId, string Kind), long> Calls { get; } = new();

    /// <summary>The actor reminders registered now (a one-shot one is gone once it fired), in type, id and name order.</summary>
    public IReadOnlyList<ActorReminder> Reminders => Scheduler.Snapshot();

    internal ReminderScheduler Scheduler { get; }

    public static async Task<DaprTestCluster> StartAsync(string repositoryRoot)
    {
        var settings = SidecarSettings.FromRepository(repositoryRoot);
        var redis = await RedisServer.StartNewAsync().ConfigureAwait(false);
        var options = ConfigurationOptions.Parse(redis.Address);
        options.AbortOnConnectFail = false; // an outage is part of the tests: reconnect when it is back
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.AsyncTimeout = 2000;
        var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return new DaprTestCluster(settings, redis, connection);
    }

    /// <summary>
    /// A sidecar for <paramref name="appId"/>, listening already; attach its app with
    /// <see cref="TestSidecar.AttachAsync"/>. Its consumer group is the repository's pub/sub
    /// component's unless <paramref name="consumerGroup"/> names another (another team's app).
    /// </summary>
    public async Task<TestSidecar> AddSidecarAsync(string appId, int appPort, string? appApiToken = null, string? daprApiToken = null, string? consumerGroup = null)
    {
        var sidecar = new TestSidecar(this, appId, appPort, appApiToken, daprApiToken, consumerGroup ?? Settings.ConsumerGroup);
        await sidecar.StartAsync().ConfigureAwait(false);
        lock (_sidecars)
        {
            _sidecars.Add(sidecar);
        }

        return sidecar;
    }

    public TestSidecar? Find(string appId)
    {
        lock (_sidecars)
        {
            return _sidecars.FirstOrDefault(s => s.AppId == appId && s.IsRunning);
        }
    }

    /// <summary>
    /// The running sidecar whose app hosts <paramref name="actorId"/> of <paramref name="actorType"/>, null
    /// when no app hosts the type. Placement's rendezvous hashing (dapr
    /// pkg/actors/hashing/rendezvous/rendezvous.go <c>Lookup</c>, per actor type with the actor id as key):
    /// the host with the highest xxhash64 of <c>"&lt;address&gt;||&lt;id&gt;"</c>, ties to the smaller
    /// address, so an id stays on one host while the set of hosts is unchanged.
    /// </summary>
    public TestSidecar? FindActorHost(string actorType, string actorId)
    {
        TestSidecar[] hosts;
        lock (_sidecars)
        {
            hosts = [.. _sidecars.Where(s => s.HostsActorType(actorType)).OrderBy(s => s.PlacementAddress, StringComparer.Ordinal)];
        }

        TestSidecar? owner = null;
        ulong best = 0;
        foreach (var host in hosts)
        {
            var score = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(host.PlacementAddress + "||" + actorId));
            if (owner is null || score > best)
            {
                (owner, best) = (host, score);
            }
        }

        return owner;
    }

    public long CallsOf(string appId, Func<string, bool>? kind = null) =>
        Calls.Where(c => c.Key.AppId == appId && (kind is null || kind(c.Key.Kind))).Sum(c => c.Value);

    internal void Count(string appId, string kind) => Calls.AddOrUpdate((appId, kind), 1, (_, n) => n + 1);

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync().ConfigureAwait(false);
        TestSidecar[] sidecars;
        lock (_sidecars)
        {
            sidecars = [.. _sidecars];
        }

        foreach (var sidecar in sidecars)
        {
            await sidecar.DisposeAsync().ConfigureAwait(false);
        }

        await RedisConnection.DisposeAsync().ConfigureAwait(false);
        await Redis.DisposeAsync().ConfigureAwait(false);
    }
}
