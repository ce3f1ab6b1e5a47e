using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.Runtime.Hosting;

/// <summary>
/// Dapr's app API token: when <c>APP_API_TOKEN</c> is configured, every request on the routes the
/// sidecar calls must carry it in <c>dapr-api-token</c>, or it is refused with 401. Probes and
/// Prometheus scrapes (health, metrics) are not sidecar routes and stay open.
/// <para>
/// A refused <c>/dapr/*</c> request is the sidecar's own discovery (<c>/dapr/subscribe</c>,
/// <c>/dapr/config</c>) failing because its app token (<c>dapr.io/app-token-secret</c>) is not
/// <c>APP_API_TOKEN</c>: daprd then runs with no subscriptions and says little about why
/// (dapr pkg/runtime/pubsub/subscriptions.go, <c>GetSubscriptionsHTTP</c>). So it is logged as an
/// error and counted in <c>fraud_app_token_rejections_total{route="discovery"}</c>, which an
/// alert watches; other refusals are only counted, so that callers cannot flood the log.
/// </para>
/// </summary>
public static partial class DaprAppTokenMiddleware
{
    public const string TokenSetting = "APP_API_TOKEN";

    public static IApplicationBuilder UseDaprAppToken(this IApplicationBuilder app, IConfiguration configuration, params string[] protectedPrefixes)
    {
        var token = configuration[TokenSetting];
        if (string.IsNullOrEmpty(token))
        {
            return app;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (Array.Exists(protectedPrefixes, p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            {
                var given = context.Request.Headers[Runtime.DaprNames.AppApiTokenHeader].ToString();
                var actual = SHA256.HashData(Encoding.UTF8.GetBytes(given));
                if (!CryptographicOperations.FixedTimeEquals(actual, expected))
                {
                    var discovery = path.StartsWithSegments("/dapr", StringComparison.OrdinalIgnoreCase);
                    RuntimeMetrics.AppTokenRejections.WithLabels(discovery ? "discovery" : "other").Inc();
                    if (discovery)
                    {
                        LogDiscoveryRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DaprAppTokenMiddleware)), path.Value ?? "/dapr");
                    }

                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsJsonAsync(new { title = "Missing or wrong dapr-api-token", status = 401 }).ConfigureAwait(false);
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message =
        "The Dapr sidecar's {Path} was refused: it sent no or a different dapr-api-token than APP_API_TOKEN. " +
        "Set the sidecar's app token (dapr.io/app-token-secret) to the same secret, or the sidecar runs without this app's subscriptions.")]
    private static partial void LogDiscoveryRefused(ILogger logger, string path);
}
