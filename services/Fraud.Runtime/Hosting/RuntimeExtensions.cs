using System.Collections.Frozen;
using Dapr.Client;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Health;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Messaging.Dapr;
using Fraud.Runtime.Messaging.Embedded;
using Fraud.Runtime.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Fraud.Runtime.Hosting;

/// <summary>What the process runs on; returned and registered as a singleton by <see cref="RuntimeExtensions.AddFraudRuntime"/>.</summary>
public sealed record RuntimeContext(RuntimeMode Mode)
{
    public bool IsDapr => Mode == RuntimeMode.Dapr;
}

public static class RuntimeExtensions
{
    /// <summary>
    /// Registers what both services use, for the runtime in effect (<paramref name="mode"/>, or
    /// <c>Fraud:Runtime:Mode</c>, or Dapr when started by Dapr): the ledger (schema migration and
    /// retention), the publishers, the anomaly state and their health checks. Embedded, the bus
    /// delivers to the handlers registered with <c>AddSubscription</c> in the same process.
    /// </summary>
    public static RuntimeContext AddFraudRuntime(this IHostApplicationBuilder builder, RuntimeMode? mode = null)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var options = configuration.GetSection(RuntimeOptions.Section).Get<RuntimeOptions>() ?? new RuntimeOptions();
        var context = new RuntimeContext(mode ?? options.Resolve(name => configuration[name] ?? Environment.GetEnvironmentVariable(name)));
        services.AddSingleton(context);
        services.TryAddSingleton(TimeProvider.System);
        MetricExport.Configure();

        services.AddValidatedOptions<LedgerOptions>(configuration, LedgerOptions.Section, o => o.Validate());
        services.AddValidatedOptions<AnomalyStateOptions>(configuration, AnomalyStateOptions.Section, Validate);

        services.AddSingleton(sp => LedgerFactory.Create(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value, context.Mode));
        // Cases are kept in the ledger's database, by the same instance (one pool, and SQLite's one writer).
        services.AddSingleton(sp => (ICaseLedger)sp.GetRequiredService<ILedger>());
        services.AddHostedService<LedgerMigration>();
        services.AddHostedService<LedgerRetention>();

        // Under Dapr the ledger is not a readiness check: an unready app makes daprd stop its
        // subscriptions (dapr pkg/runtime/runtime.go, appHealthChanged), so a slow database would
        // stop consumption and rebalance the consumer group on every replica at once. Deliveries
        // that cannot commit are answered RETRY and redelivered instead. Embedded, a publish is done
        // only when the ledger committed, so there it is what readiness means.
        var health = services.AddHealthChecks()
            .AddCheck<LedgerHealthCheck>("ledger", tags: context.IsDapr ? [] : [HealthTags.Ready]);

        if (context.IsDapr)
        {
            services.AddDaprClient(client => client.UseJsonSerializationOptions(RuntimeJson.Options));
            services.AddSingleton<ITransactionPublisher, DaprTransactionPublisher>();
            services.AddSingleton<IEventPublisher, DaprEventPublisher>();
            services.AddSingleton<IAnomalyState, DaprAnomalyState>();
            health.AddCheck<DaprSidecarHealthCheck>("dapr", tags: [HealthTags.Ready]);
        }
        else
        {
            services.AddValidatedOptions<EmbeddedBusOptions>(configuration, EmbeddedBusOptions.Section, o => o.Validate());
            services.AddSingleton<EmbeddedBus>();
            services.AddSingleton<ITransactionPublisher>(sp => sp.GetRequiredService<EmbeddedBus>());
            services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<EmbeddedBus>());
            services.AddHostedService<EmbeddedDelivery>();
            services.AddSingleton<EmbeddedAnomalyState>();
            services.AddSingleton<IAnomalyState>(sp => sp.GetRequiredService<EmbeddedAnomalyState>());
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

    /// <summary>
    /// Request counts and duration histograms per route (prometheus-net). A request whose method is
    /// not one of <see cref="KnownMethods"/> (exactly, in upper case) is answered 501 before it is
    /// counted: the metrics label requests by method as sent, so methods a caller makes up would
    /// otherwise add series to <c>/metrics</c> without bound.
    /// </summary>
    public static WebApplication UseFraudRequestMetrics(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (KnownMethods.Contains(context.Request.Method))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status501NotImplemented;
            return Task.CompletedTask;
        });
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

    /// <summary>The methods the services answer; case-sensitive, as HTTP methods are.</summary>
    public static readonly FrozenSet<string> KnownMethods = FrozenSet.ToFrozenSet(
        ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], StringComparer.Ordinal);

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
