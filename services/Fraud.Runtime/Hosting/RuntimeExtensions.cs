using Dapr.Actors.Client;
using Dapr.Client;
using Fraud.Core.Features;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Health;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Messaging.Dapr;
using Fraud.Runtime.Messaging.Embedded;
using Fraud.Runtime.Observability;
using Fraud.Runtime.Profiles;
using Fraud.Runtime.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Fraud.Runtime.Hosting;

/// <summary>What the process runs on; registered as a singleton by <see cref="RuntimeExtensions.AddFraudRuntime"/>.</summary>
public sealed record RuntimeContext(RuntimeMode Mode)
{
    public bool IsDapr => Mode == RuntimeMode.Dapr;
}

public static class RuntimeExtensions
{
    public const string ProfilesSection = "Fraud:Profiles";

    /// <summary>
    /// Registers the seam for the mode in effect: ledger (and its group commit, migration and
    /// retention), publishers, anomaly state, account profiles, scoring client, health checks.
    /// Idempotent, so an app hosting both services (fraud run) may call it twice.
    /// </summary>
    public static RuntimeContext AddFraudRuntime(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.FirstOrDefault(d => d.ServiceType == typeof(RuntimeContext))?.ImplementationInstance is RuntimeContext existing)
        {
            return existing;
        }

        var configuration = builder.Configuration;
        var runtime = configuration.GetSection(RuntimeOptions.Section).Get<RuntimeOptions>() ?? new RuntimeOptions();
        var context = new RuntimeContext(runtime.Resolve(name => configuration[name] ?? Environment.GetEnvironmentVariable(name)));
        services.AddSingleton(context);
        services.TryAddSingleton(TimeProvider.System);
        MetricExport.Configure();

        services.AddValidatedOptions<LedgerOptions>(configuration, LedgerOptions.Section, o => o.Validate());
        services.AddValidatedOptions<AnomalyStateOptions>(configuration, AnomalyStateOptions.Section, Validate);
        services.AddValidatedOptions<ProfileOptions>(configuration, ProfilesSection, o => o.Validate());

        services.AddSingleton(sp => LedgerFactory.Create(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value, context.Mode));
        services.AddHostedService<LedgerMigration>();
        services.AddSingleton<LedgerWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddHostedService<LedgerRetention>();

        var health = services.AddHealthChecks()
            .AddCheck<LedgerHealthCheck>("ledger", tags: [HealthTags.Ready]);

        if (context.IsDapr)
        {
            services.AddDaprClient(client => client.UseJsonSerializationOptions(RuntimeJson.Options));
            services.AddSingleton<ITransactionPublisher, DaprTransactionPublisher>();
            services.AddSingleton<IEventPublisher, DaprEventPublisher>();
            services.AddSingleton<IAnomalyState, DaprAnomalyState>();
            services.TryAddSingleton<IActorProxyFactory>(_ => new ActorProxyFactory(new ActorProxyOptions
            {
                UseJsonSerialization = true,
                JsonSerializerOptions = RuntimeJson.Options,
            }));
            services.AddSingleton<IAccountProfiles, ActorAccountProfiles>();
            services.AddHttpClient<IScoringClient, DaprScoringClient>(http => http.BaseAddress = DaprScoringClient.DetectorAddress)
                .AddHttpMessageHandler(() => new InvocationHandler());
            health.AddCheck<DaprSidecarHealthCheck>("dapr", tags: [HealthTags.Ready]);
        }
        else
        {
            services.AddValidatedOptions<EmbeddedBusOptions>(configuration, EmbeddedBusOptions.Section, o => o.Validate());
            services.AddSingleton<EmbeddedBus>();
            services.AddSingleton<ITransactionPublisher>(sp => sp.GetRequiredService<EmbeddedBus>());
            services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<EmbeddedBus>());
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBus>());
            services.AddSingleton<EmbeddedAnomalyState>();
            services.AddSingleton<IAnomalyState>(sp => sp.GetRequiredService<EmbeddedAnomalyState>());
            services.AddSingleton<IAccountProfiles, InProcessAccountProfiles>();
            health.AddCheck<EmbeddedBusHealthCheck>("bus").AddCheck<AnomalyBufferHealthCheck>("anomaly-buffer");
        }

        return context;
    }

    /// <summary>Health endpoints and <c>/metrics</c>; HTTP metrics must be switched on with <see cref="UseFraudRequestMetrics"/>.</summary>
    public static WebApplication MapFraudOperations(this WebApplication app)
    {
        app.MapFraudHealth();
        app.MapMetrics(ServiceRoutes.Metrics).ExcludeFromDescription();
        return app;
    }

    /// <summary>Request counts and duration histograms per route (prometheus-net).</summary>
    public static WebApplication UseFraudRequestMetrics(this WebApplication app)
    {
        app.UseHttpMetrics(options => options.RequestDuration.Histogram = Metrics.CreateHistogram(
            "http_request_duration_seconds",
            "Duration of HTTP requests in seconds, from the metrics middleware to the response.",
            new HistogramConfiguration
            {
                // From 125 µs (prometheus-net's default starts at 1 ms): reads are held to p99 of 2 ms and must be told apart below it.
                Buckets = Histogram.ExponentialBuckets(0.000125, 2, 18),
                LabelNames = Prometheus.HttpMetrics.HttpRequestLabelNames.All,
            }));
        return app;
    }

    private static void Validate(AnomalyStateOptions options)
    {
        if (options.Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options.Ttl), options.Ttl, "must be positive");
        }

        if (options.MaxSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options.MaxSize), options.MaxSize, "must be at least 1");
        }
    }
}
