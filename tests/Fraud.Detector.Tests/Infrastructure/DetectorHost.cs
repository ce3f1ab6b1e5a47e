using System.Net;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using Fraud.Detector.Profiles;
using Fraud.Runtime;
using Fraud.Runtime.Ledger;
using Fraud.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>
/// The detector as <c>Program.Create</c> builds it, on real Kestrel bound to a free loopback
/// port, with a SQLite ledger in a temp directory. In Dapr mode its sidecar is replaced by a
/// <see cref="RecordingDaprClient"/> and the profile state store by an <see cref="InMemoryProfileStore"/>;
/// time is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class DetectorHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    public const int AnomalyTtlSeconds = 2_700;
    public const int BulkMaxMessages = 250;
    public const int BulkMaxAwaitMilliseconds = 35;

    private readonly TempDirectory _directory;
    private readonly IDisposable _hook;
    private bool _stopped;

    private DetectorHost(WebApplication app, TempDirectory directory, IDisposable hook, RecordingDaprClient dapr, InMemoryProfileStore profiles, FakeTimeProvider time)
    {
        App = app;
        _directory = directory;
        _hook = hook;
        Dapr = dapr;
        Profiles = profiles;
        Time = time;
        Ledger = (FlakyLedger)app.Services.GetRequiredService<ILedger>();
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public HttpClient Client { get; }

    public RecordingDaprClient Dapr { get; }

    public InMemoryProfileStore Profiles { get; }

    public FakeTimeProvider Time { get; }

    public FlakyLedger Ledger { get; }

    /// <summary>Starts the detector in Dapr mode (default) or embedded; <paramref name="settings"/> are passed as <c>--key=value</c>.</summary>
    public static async Task<DetectorHost> StartAsync(RuntimeMode mode = RuntimeMode.Dapr, IReadOnlyDictionary<string, string>? settings = null)
    {
        var directory = TempDirectory.Create("fraud-detector-test");
        var id = Guid.NewGuid().ToString("N");
        var dapr = new RecordingDaprClient();
        var profiles = new InMemoryProfileStore();
        var time = new FakeTimeProvider(Now);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            [HostBuildingHook.IdSetting] = id,
            ["Fraud:Runtime:Mode"] = mode.ToString(),
            ["Fraud:Ledger:ConnectionString"] = directory.Combine("ledger.db"),
            ["Fraud:Detector:BootstrapRows"] = "0",
            ["Fraud:Detector:BulkMaxMessages"] = BulkMaxMessages.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fraud:Detector:BulkMaxAwaitMilliseconds"] = BulkMaxAwaitMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fraud:Anomalies:Ttl"] = TimeSpan.FromSeconds(AnomalyTtlSeconds).ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Fraud"] = "Error",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var hook = HostBuildingHook.Register(id, (_, services) =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
            services.Replace(ServiceDescriptor.Singleton<ILedger>(sp => new FlakyLedger(
                LedgerFactory.Create(sp.GetRequiredService<IOptions<LedgerOptions>>().Value, mode))));
            if (mode == RuntimeMode.Dapr)
            {
                services.RemoveAll<DaprClient>();
                services.AddSingleton<DaprClient>(dapr);
                services.RemoveAll<IProfileStore>();
                services.AddSingleton<IProfileStore>(profiles);
            }
        });

        WebApplication? app = null;
        try
        {
            app = Program.Create([.. all.Select(kv => $"--{kv.Key}={kv.Value}")]);
            await app.StartAsync();
            return new DetectorHost(app, directory, hook, dapr, profiles, time);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            hook.Dispose();
            directory.Dispose();
            throw;
        }
    }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>POSTs a JSON body as the sidecar does and returns the status and the parsed answer (null when empty or not JSON).</summary>
    public async Task<(HttpStatusCode Status, JsonDocument? Body)> PostAsync(string path, string json, string? token = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, contentType) };
        if (token is not null)
        {
            request.Headers.Add(DaprNames.AppApiTokenHeader, token);
        }

        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await ParseAsync(response));
    }

    public async Task<(HttpStatusCode Status, JsonDocument? Body)> GetAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Add(DaprNames.AppApiTokenHeader, token);
        }

        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await ParseAsync(response));
    }

    /// <summary>Delivers a bulk message to <c>/subscriptions/transactions</c> and returns each entry's status by entry id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> DeliverBulkAsync(string body)
    {
        var (status, answer) = await PostAsync("/subscriptions/transactions", body, contentType: "application/cloudevents-batch+json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(answer);
        using (answer)
        {
            return Events.Statuses(answer);
        }
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            _hook.Dispose();
            _directory.Dispose();
        }
    }

    private static async Task<JsonDocument?> ParseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
