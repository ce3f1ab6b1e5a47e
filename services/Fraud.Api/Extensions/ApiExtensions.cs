using Dapr.Client;
using Fraud.Api.Apis;
using Fraud.Api.Cases;
using Fraud.Api.Reviews;
using Fraud.Api.Console;
using Fraud.Api.OpenApi;
using Fraud.Api.Security;
using Fraud.Contracts;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;
using Fraud.Runtime.Scoring;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Extensions;

public static class ApiExtensions
{
    /// <summary>
    /// The API's services: options, API-key authentication and roles, rate limits, OpenAPI, problem
    /// details, and under Dapr the detector's <c>POST /score</c> by service invocation.
    /// </summary>
    public static IHostApplicationBuilder AddFraudApi(this IHostApplicationBuilder builder, RuntimeContext runtime)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ApiOptions>(builder.Configuration, ApiOptions.Section, o => o.Validate());
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<AnomalyReviewer>();
        services.AddSingleton(sp => new RequestBodyBudget(sp.GetRequiredService<IOptions<ApiOptions>>().Value.MaxInFlightBodyBytes));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Ingest, p => p.RequireRole(ApiRoles.Ingest, ApiRoles.Admin))
            .AddPolicy(ApiPolicies.Analyst, p => p.RequireRole(ApiRoles.Analyst, ApiRoles.Admin));
        services.AddApiRateLimits();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((forwarded, api) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies, not the framework's default loopback ones.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005, CS0618 // the obsolete list too: it holds loopback by default, and may not be the same list
            forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005, CS0618
            foreach (var network in api.Value.TrustedNetworks())
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Routing answers a Content-Type that no endpoint accepts (the Accepts metadata) before the
            // endpoint runs; say what to send, as the endpoints do for a missing one.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= $"Send the body as JSON with 'Content-Type: application/json' (got '{context.HttpContext.Request.ContentType}').";
            }
        });
        services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer<ApiKeySecurityScheme>();
            openApi.AddSchemaTransformer<WireSchemas>();
            openApi.AddOperationTransformer<CommonResponses>();
        });
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, FraudJsonContext.Default));
        LoopbackGuard.Require(services, new BeyondLoopbackRequirement(
            "fraud-api",
            sp => sp.GetRequiredService<IOptions<ApiOptions>>().Value.Keys.Count > 0,
            "API keys",
            "Configure Fraud:Api:Keys (name, key, roles) — e.g. Fraud__Api__Keys__0__Name, __Key, __Roles__0 from a secret — or listen on 127.0.0.1."));
        if (runtime.IsDapr)
        {
            services.AddHttpClient<IScoringClient, DaprScoringClient>(http => http.BaseAddress = DaprScoringClient.DetectorAddress)
                .AddHttpMessageHandler(() => new InvocationHandler());
        }

        AddCases(builder, runtime);
        return builder;
    }

    /// <summary>
    /// Cases: intake files every anomaly into its account's case, a scan keeps deadlines, and each
    /// account's commands run on its case owner: the <see cref="CaseActor"/> under Dapr (hosted here,
    /// behind the app token like every route the sidecar calls), an in-process lock embedded.
    /// </summary>
    private static void AddCases(IHostApplicationBuilder builder, RuntimeContext runtime)
    {
        var services = builder.Services;
        services.AddValidatedOptions<CaseOptions>(builder.Configuration, CaseOptions.Section, o => o.Validate());
        services.AddSingleton<CaseService>();
        services.AddHostedService<CaseIntake>();
        services.AddHostedService<CaseDeadlineScanner>();
        if (runtime.IsDapr)
        {
            services.AddActors(actors =>
            {
                actors.Actors.RegisterActor<CaseActor>(CaseActor.TypeName);
                // The actor's commands carry the caller's name and the case's time: an idle account's actor is cheap to recreate.
                actors.ActorIdleTimeout = TimeSpan.FromMinutes(10);
                actors.DrainOngoingCallTimeout = TimeSpan.FromSeconds(30);
                actors.DrainRebalancedActors = true;
            });
            services.AddSingleton<ICaseOwner, ActorCaseOwner>();
            LoopbackGuard.Require(services, BeyondLoopbackRequirement.AppToken("fraud-api", "the case actors"));
        }
        else
        {
            services.AddSingleton<ICaseOwner, InProcessCaseOwner>();
        }
    }

    /// <summary>
    /// Middleware in order: errors as problem details, metrics, authentication, rate limits,
    /// authorization. Refuses to start beyond loopback without API keys (<see cref="LoopbackGuard"/>).
    /// </summary>
    public static WebApplication UseFraudApi(this WebApplication app)
    {
        LoopbackGuard.Check(app.Services, app.Services.GetRequiredService<ListenAddresses>().Urls);
        // First: the client address that rate limits and logs see is the one a trusted proxy forwarded.
        // Only with proxies configured: with empty lists the middleware believes every sender.
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseFraudRequestMetrics();
        app.UseDaprAppToken(app.Configuration, SidecarRoutes);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The API's routes, the console, and the OpenAPI document at <c>/openapi/v1.json</c>.</summary>
    public static WebApplication MapFraudApi(this WebApplication app)
    {
        app.MapTransactionsApi();
        app.MapAnomaliesApi();
        app.MapCasesApi();
        app.MapStatsApi();
        if (app.Services.GetRequiredService<RuntimeContext>().IsDapr)
        {
            app.MapActorsHandlers();
        }

        app.MapConsole();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>Routes the Dapr sidecar calls (actor discovery and calls): guarded by its app API token, not by API keys or rate limits.</summary>
    public static readonly string[] SidecarRoutes = ["/dapr", "/actors"];

    public static bool IsSidecarRoute(PathString path) => Array.Exists(SidecarRoutes, r => path.StartsWithSegments(r, StringComparison.OrdinalIgnoreCase));
}
