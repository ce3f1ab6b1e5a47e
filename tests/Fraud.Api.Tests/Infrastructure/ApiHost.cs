using System.Collections.Concurrent;
using Fraud.Host;
using Fraud.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Fraud.Api.Tests.Infrastructure;

/// <summary>
/// The system as <c>fraud run</c> hosts it (<see cref="SingleProcessApp.Create"/>): the API on the embedded runtime — detector, bus,
/// anomaly buffer and a SQLite ledger in a fresh temp directory — on real Kestrel bound to a free
/// loopback port, with HTTP clients to it. Settings are configuration keys (<c>Fraud:Api:…</c>)
/// passed as command-line arguments, exactly as an operator would.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    private ApiHost(WebApplication app, TempDirectory directory, string ledgerPath, Uri baseAddress)
    {
        App = app;
        _directory = directory;
        LedgerPath = ledgerPath;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    /// <summary>Where Kestrel listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The SQLite ledger file.</summary>
    public string LedgerPath { get; }

    /// <summary>A client without an API key.</summary>
    public HttpClient Http => Client(null);

    /// <summary>
    /// The command line <see cref="StartAsync(string[])"/> gives the app before the caller's settings
    /// (which win): loopback on a free port, embedded runtime, the temp ledger, rules-only scoring
    /// (no unsupervised bootstrap, so scores are exact functions of the rules), quiet logs.
    /// </summary>
    public static string[] Arguments(string ledgerPath, IEnumerable<string> settings, string url = "http://127.0.0.1:0") =>
    [
        $"--urls={url}",
        "--Fraud:Runtime:Mode=Embedded",
        $"--Fraud:Ledger:ConnectionString={ledgerPath}",
        "--Fraud:Detector:BootstrapRows=0",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
        "--Logging:LogLevel:Fraud.Detector.Models.ModelHost=Error",
        .. settings.Select(s => s.StartsWith("--", StringComparison.Ordinal) ? s : "--" + s),
    ];

    /// <summary>Starts the app on loopback with settings such as <c>Fraud:Api:MaxBatchSize=20</c>.</summary>
    public static Task<ApiHost> StartAsync(params string[] settings) => StartOnAsync("http://127.0.0.1:0", settings);

    /// <summary>Starts the app listening on <paramref name="url"/> (port 0: a free one); clients call it on 127.0.0.1.</summary>
    public static async Task<ApiHost> StartOnAsync(string url, params string[] settings)
    {
        var directory = TempDirectory.Create("fraud-api-test");
        WebApplication? app = null;
        try
        {
            var ledger = directory.Combine("ledger.db");
            app = SingleProcessApp.Create(Arguments(ledger, settings, url));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await app.StartAsync(timeout.Token);
            var bound = new Uri(app.Urls.First());
            return new ApiHost(app, directory, ledger, new UriBuilder("http", "127.0.0.1", bound.Port).Uri);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary>A client sending <paramref name="apiKey"/> in <c>X-Api-Key</c> (none when null); one per key, reused.</summary>
    public HttpClient Client(string? apiKey) => _clients.GetOrAdd(apiKey ?? string.Empty, key =>
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key.Length > 0)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    });

    /// <summary>A fresh client with no default headers (for callers that set their own, e.g. <c>Authorization</c>).</summary>
    public HttpClient NewClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A connection of its own to the ledger file, for assertions and for holding locks.</summary>
    public SqliteConnection OpenLedger()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = LedgerPath, Pooling = false, DefaultTimeout = 60 }.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A scalar from the ledger, read on a connection of its own.</summary>
    public object? LedgerScalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = OpenLedger();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await App.StopAsync(timeout.Token);
        }
        finally
        {
            await App.DisposeAsync();
            SqliteConnection.ClearAllPools();
            _directory.Dispose();
        }
    }
}
