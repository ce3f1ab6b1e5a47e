using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Fraud.Runtime.Hosting;

/// <summary>
/// Dapr's app API token: when <c>APP_API_TOKEN</c> is configured, every request on the routes the
/// sidecar calls must carry it in <c>dapr-api-token</c>, or it is refused with 401. Probes and
/// Prometheus scrapes (health, metrics) are not sidecar routes and stay open.
/// </summary>
public static class DaprAppTokenMiddleware
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
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsJsonAsync(new { title = "Missing or wrong dapr-api-token", status = 401 }).ConfigureAwait(false);
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });
    }
}
