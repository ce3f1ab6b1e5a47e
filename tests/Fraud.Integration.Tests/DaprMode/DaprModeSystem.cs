using Fraud.DaprSidecar;
using Fraud.DaprSidecar.Sidecar;
using Fraud.TestSupport;
using Npgsql;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// The cluster path on one machine: fraud-api and one or more fraud-detectors, each its own
/// process with its own test sidecar (<see cref="DaprTestCluster"/>: Kafka semantics in memory,
/// state in a real Redis), and a real PostgreSQL ledger. Both directions of every sidecar carry
/// API tokens, as in the cluster.
/// </summary>
internal sealed class DaprModeSystem : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _ledger;
    private readonly PostgresServer _postgres;
    private readonly List<(TestSidecar Sidecar, ServiceProcess Process)> _detectors = [];

    private DaprModeSystem(DaprTestCluster cluster, PostgresServer postgres, string ledger)
    {
        Cluster = cluster;
        _postgres = postgres;
        _ledger = ledger;
    }

    public DaprTestCluster Cluster { get; }

    public ServiceProcess Api { get; private set; } = null!;

    public TestSidecar ApiSidecar { get; private set; } = null!;

    public IReadOnlyList<(TestSidecar Sidecar, ServiceProcess Process)> Detectors => _detectors;

    public static string RepositoryRoot => Fraud.TestSupport.RepositoryRoot.Path;

    /// <summary>The API key of another team's producer (role ingest) when started with keys.</summary>
    public const string ProducerKey = "producer-key-0123456789abcdef";

    /// <summary>
    /// Starts the system. With <paramref name="apiKeys"/> fraud-api requires keys: the test's own
    /// client sends one with every role, <see cref="ProducerKey"/> may only ingest. Without
    /// <paramref name="consuming"/> the detectors' sidecars do not discover their subscriptions
    /// until <see cref="TestSidecar.AttachAsync"/> (a backlog builds up meanwhile). <paramref name="apiSettings"/>
    /// are fraud-api's own environment variables (e.g. <c>Fraud__Cases__HighDeadline</c>).
    /// </summary>
    public static async Task<DaprModeSystem> StartAsync(int detectors = 1, bool apiKeys = false, bool consuming = true, IReadOnlyDictionary<string, string>? apiSettings = null)
    {
        var postgres = await PostgresServer.GetSharedAsync();
        var ledger = await postgres.CreateDatabaseAsync("dapr_mode");
        var cluster = await DaprTestCluster.StartAsync(RepositoryRoot);
        var system = new DaprModeSystem(cluster, postgres, ledger);
        try
        {
            // The detector first: it creates the ledger's schema, which the API reads.
            for (var i = 0; i < detectors; i++)
            {
                await system.AddDetectorAsync(attach: consuming);
            }

            var apiPort = LoopbackPort.Free();
            system.ApiSidecar = await cluster.AddSidecarAsync("fraud-api", apiPort, Token(), Token());
            var settings = new Dictionary<string, string>
            {
                // One test client on loopback sends far more than the default 100 requests/s per address.
                ["Fraud__Api__RequestsPerSecondPerIp"] = "100000",
            };
            foreach (var (key, value) in apiSettings ?? new Dictionary<string, string>())
            {
                settings[key] = value;
            }

            var ownKey = Token();
            if (apiKeys)
            {
                settings["Fraud__Api__Keys__0__Name"] = "tests";
                settings["Fraud__Api__Keys__0__Key"] = ownKey;
                settings["Fraud__Api__Keys__0__Roles__0"] = "admin";
                settings["Fraud__Api__Keys__0__Roles__1"] = "analyst";
                settings["Fraud__Api__Keys__0__Roles__2"] = "ingest";
                settings["Fraud__Api__Keys__1__Name"] = "producer";
                settings["Fraud__Api__Keys__1__Key"] = ProducerKey;
                settings["Fraud__Api__Keys__1__Roles__0"] = "ingest";
            }

            system.Api = ServiceProcess.Start("fraud-api", Assembly("Fraud.Api"), apiPort, system.Environment(system.ApiSidecar, settings));
            if (apiKeys)
            {
                system.Api.Http.DefaultRequestHeaders.Add("X-Api-Key", ownKey);
            }

            await system.Api.WaitReadyAsync(StartTimeout);
            await system.ApiSidecar.AttachAsync(StartTimeout);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts one more fraud-detector with its sidecar; it joins the consumer group. With
    /// <paramref name="appTokenOfApp"/> the app is given another app token than its sidecar sends.
    /// </summary>
    public async Task<(TestSidecar Sidecar, ServiceProcess Process)> AddDetectorAsync(string? appTokenOfApp = null, bool attach = true)
    {
        var port = LoopbackPort.Free();
        var sidecar = await Cluster.AddSidecarAsync("fraud-detector", port, Token(), Token());
        var environment = Environment(sidecar, new()
        {
            // Deliveries of a few hundred entries, as in the cluster; the drain waits for what is in flight.
            ["Fraud__Detector__DrainTimeout"] = "00:00:30",
            ["Fraud__Detector__LabelSyncInterval"] = "00:00:01",
        });
        if (appTokenOfApp is not null)
        {
            environment["APP_API_TOKEN"] = appTokenOfApp;
        }

        var process = ServiceProcess.Start("fraud-detector", Assembly("Fraud.Detector"), port, environment);
        lock (_detectors)
        {
            _detectors.Add((sidecar, process));
        }

        await process.WaitReadyAsync(StartTimeout);
        if (attach)
        {
            await sidecar.AttachAsync(StartTimeout);
        }

        return (sidecar, process);
    }

    /// <summary>Waits until the consumer group has committed every message of <paramref name="topic"/>.</summary>
    public async Task WaitForNoLagAsync(string topic, TimeSpan timeout)
    {
        var group = Cluster.Broker.Group(topic, Cluster.Settings.ConsumerGroup);
        var deadline = DateTime.UtcNow + timeout;
        while (group.Lag() > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                var calls = string.Join(", ", Cluster.Calls.OrderBy(c => c.Key.AppId).ThenBy(c => c.Key.Kind).Select(c => $"{c.Key.AppId} {c.Key.Kind} {c.Value}"));
                throw new TimeoutException($"{group.Lag()} messages of {topic} still not committed after {timeout.TotalSeconds:0} s. Sidecar calls: {calls}. Detector output:\n"
                    + string.Join("\n---\n", _detectors.Select(d => d.Process.Output[^Math.Min(4000, d.Process.Output.Length)..])));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Scored transactions in the ledger whose id starts with <paramref name="idPrefix"/> (the id is its key).</summary>
    public async Task<long> LedgerCountAsync(string idPrefix)
    {
        await using var connection = new NpgsqlConnection(_ledger);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM scored_transactions WHERE transaction_id LIKE @prefix", connection);
        command.Parameters.AddWithValue("prefix", idPrefix + "%");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Alerts whose features the detectors have kept in the ledger.</summary>
    public async Task<long> KeptAlertFeaturesAsync()
    {
        await using var connection = new NpgsqlConnection(_ledger);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM alert_features", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        foreach (var (sidecar, process) in _detectors)
        {
            await process.DisposeAsync();
            await sidecar.StopAsync();
        }

        await Cluster.DisposeAsync();
        await _postgres.DropDatabaseAsync(_ledger);
    }

    private Dictionary<string, string> Environment(TestSidecar sidecar, Dictionary<string, string> extra)
    {
        var environment = new Dictionary<string, string>(sidecar.AppEnvironment)
        {
            ["Fraud__Runtime__Mode"] = "Dapr",
            ["Fraud__Ledger__ConnectionString"] = _ledger,
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static string Token() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>A service's own build output (the deployable), in this test build's configuration.</summary>
    private static string Assembly(string project)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        return Path.Combine(RepositoryRoot, "services", project, "bin", configuration, framework.Name, project + ".dll");
    }
}
