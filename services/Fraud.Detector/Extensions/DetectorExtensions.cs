using Fraud.Core.Features;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Detector.Actors;
using Fraud.Detector.Detection;
using Fraud.Detector.Feedback;
using Fraud.Detector.Models;
using Fraud.Detector.Scoring;
using Fraud.Detector.Subscriptions;
using Fraud.Runtime;
using Fraud.Runtime.Health;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Scoring;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Extensions;

public static class DetectorExtensions
{
    /// <summary>The detector's services on the runtime in effect (Dapr: actors for accounts; embedded: in-process shards).</summary>
    public static RuntimeContext AddDetector(this IHostApplicationBuilder builder)
    {
        var runtime = builder.AddFraudRuntime();
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddValidatedOptions<DetectorOptions>(configuration, DetectorOptions.Section, o => o.Validate());
        services.AddValidatedOptions<ScoringOptions>(configuration, "Fraud:Scoring", o => o.Validate());
        services.AddValidatedOptions<RuleOptions>(configuration, "Fraud:Rules", o => o.Validate());
        services.AddOptions<HostOptions>().Configure<IOptions<DetectorOptions>>((host, detector) =>
            host.ShutdownTimeout = detector.Value.DrainTimeout + TimeSpan.FromSeconds(15));

        services.AddSingleton(sp => new MerchantProfiles(sp.GetRequiredService<IOptions<ProfileOptions>>().Value));
        services.AddSingleton<ModelHost>();
        services.AddSingleton<DetectionPipeline>();
        services.AddSingleton<ITransactionConsumer>(sp => sp.GetRequiredService<DetectionPipeline>());
        services.AddSingleton<IVerdictConsumer, VerdictHandler>();
        services.AddSingleton<TransactionDeliveries>();
        services.AddSingleton<DeliveryGate>();
        services.AddSingleton<InProcessScoringClient>();
        if (!runtime.IsDapr)
        {
            // In one process the API's scoring calls go straight to the detector.
            services.Replace(ServiceDescriptor.Singleton<IScoringClient>(sp => sp.GetRequiredService<InProcessScoringClient>()));
        }

        services.AddHostedService<DetectorLifecycle>();
        services.AddSingleton<MerchantLabelSync>();
        services.AddHostedService(sp => sp.GetRequiredService<MerchantLabelSync>());
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: [HealthTags.Ready]);

        if (runtime.IsDapr)
        {
            services.AddActors(actors =>
            {
                actors.Actors.RegisterActor<AccountActor>(DaprNames.AccountActorType);
                actors.UseJsonSerialization = true;
                actors.JsonSerializerOptions = RuntimeJson.Options;
                actors.ActorIdleTimeout = TimeSpan.FromMinutes(10);
            });
        }

        return runtime;
    }

    /// <summary>
    /// Dapr's routes (subscriptions, actors, behind the app API token) in Dapr mode, and
    /// <c>POST /score</c> unless the API in the same process serves it.
    /// </summary>
    public static WebApplication MapDetector(this WebApplication app, bool mapScoring = true)
    {
        var runtime = app.Services.GetRequiredService<RuntimeContext>();
        if (runtime.IsDapr)
        {
            app.MapDetectorSubscriptions();
            app.MapActorsHandlers();
        }

        if (mapScoring)
        {
            app.MapDetectorScoring();
        }

        return app;
    }

    /// <summary>Routes the Dapr sidecar calls, guarded by its app API token when one is configured.</summary>
    public static readonly string[] SidecarRoutes = ["/dapr", "/subscriptions", "/actors", ServiceRoutes.Score];
}
