using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Detector.Detection;
using Fraud.Detector.Feedback;
using Fraud.Detector.Models;
using Fraud.Detector.Profiles;
using Fraud.Detector.Scoring;
using Fraud.Detector.Subscriptions;
using Fraud.Runtime;
using Fraud.Runtime.Health;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Scoring;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Extensions;

public static class DetectorExtensions
{
    /// <summary>
    /// The detector's services on the runtime in effect: its subscriptions (transactions, feedback),
    /// the ledger's group commit, merchant profiles and account profiles (Dapr: the profile state
    /// store, read and written once per delivery; embedded: in-process shards), the model, the drain
    /// on shutdown, <c>POST /score</c>.
    /// </summary>
    public static IHostApplicationBuilder AddDetector(this IHostApplicationBuilder builder, RuntimeContext runtime)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddValidatedOptions<DetectorOptions>(configuration, DetectorOptions.Section, o => o.Validate());
        services.AddValidatedOptions<ScoringOptions>(configuration, ScoringOptions.Section, o => o.Validate());
        services.AddValidatedOptions<RuleOptions>(configuration, RuleOptions.Section, o => o.Validate());
        services.AddValidatedOptions<ProfileOptions>(configuration, ProfileOptions.Section, o => o.Validate());
        services.AddOptions<HostOptions>().Configure<IOptions<DetectorOptions>>((host, detector) =>
            host.ShutdownTimeout = detector.Value.DrainTimeout + TimeSpan.FromSeconds(15));

        services.AddSubscription<Transaction, DetectionPipeline>();
        services.AddSubscription<Verdict, VerdictHandler>();
        services.AddSingleton<LedgerWriter>();
        services.AddSingleton<RecordedCopies>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton(sp => new MerchantProfiles(sp.GetRequiredService<IOptions<ProfileOptions>>().Value));
        services.AddSingleton<ModelHost>();
        services.AddSingleton<DeadLetterSender>();
        services.AddSingleton<TransactionDeliveries>();
        services.AddSingleton<DeliveryGate>();
        services.AddSingleton<InProcessScoringClient>();
        services.AddHostedService<DetectorLifecycle>();
        services.AddSingleton<LabelSync>();
        services.AddHostedService(sp => sp.GetRequiredService<LabelSync>());
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: [HealthTags.Ready]);

        if (runtime.IsDapr)
        {
            // Its routes are for its sidecar only (in one process with the API it has none).
            LoopbackGuard.Require(services, BeyondLoopbackRequirement.AppToken("fraud-detector", "it"));
            services.AddSingleton(sp => DaprProfileStore.CreateGrpcClient(sp.GetRequiredService<IConfiguration>()));
            services.AddSingleton<IProfileStore, DaprProfileStore>();
            services.AddSingleton<IAccountProfiles, StoredAccountProfiles>();
        }
        else
        {
            services.AddSingleton<IAccountProfiles, InProcessAccountProfiles>();
            // In one process an API's scoring calls go straight to the detector.
            services.AddSingleton<IScoringClient>(sp => sp.GetRequiredService<InProcessScoringClient>());
        }

        return builder;
    }

    /// <summary>
    /// The detector's middleware: request metrics, and Dapr's app API token on the routes the sidecar
    /// calls. Under Dapr, beyond loopback, the token is required (<see cref="LoopbackGuard"/>).
    /// </summary>
    public static WebApplication UseDetector(this WebApplication app)
    {
        LoopbackGuard.Check(app.Services, app.Services.GetRequiredService<ListenAddresses>().Urls);
        app.UseFraudRequestMetrics();
        app.UseDaprAppToken(app.Configuration, SidecarRoutes);
        return app;
    }

    /// <summary>Dapr's routes (subscriptions) in Dapr mode, and <c>POST /score</c>.</summary>
    public static WebApplication MapDetector(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RuntimeContext>().IsDapr)
        {
            app.MapDetectorSubscriptions();
        }

        app.MapDetectorScoring();
        return app;
    }

    /// <summary>Routes the Dapr sidecar calls, guarded by its app API token when one is configured.</summary>
    public static readonly string[] SidecarRoutes = ["/dapr", "/subscriptions", ServiceRoutes.Score];
}
