using System.Collections.Concurrent;
using Fraud.DaprSidecar.PubSub;
using Fraud.DaprSidecar.Sidecar;
using Fraud.DaprSidecar.State;
using Fraud.TestSupport;
using StackExchange.Redis;

namespace Fraud.DaprSidecar;

/// <summary>
/// What the sidecars of one test share, as daprd's share a cluster: the Redis behind the state
/// stores (a real <c>redis-server</c>), the Kafka (<see cref="Broker"/>), and a
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
    }

    public SidecarSettings Settings { get; }

    public RedisServer Redis { get; }

    public IConnectionMultiplexer RedisConnection { get; }

    public RedisStateStore State { get; }

    public Broker Broker { get; } = new();

    /// <summary>Calls from apps to their sidecars, by app id and kind (e.g. <c>fraud-detector</c>, <c>actor-invoke</c>).</summary>
    public ConcurrentDictionary<(string AppId, string Kind), long> Calls { get; } = new();

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

    public long CallsOf(string appId, Func<string, bool>? kind = null) =>
        Calls.Where(c => c.Key.AppId == appId && (kind is null || kind(c.Key.Kind))).Sum(c => c.Value);

    internal void Count(string appId, string kind) => Calls.AddOrUpdate((appId, kind), 1, (_, n) => n + 1);

    public async ValueTask DisposeAsync()
    {
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
