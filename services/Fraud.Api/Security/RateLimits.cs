using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Fraud.Api.Extensions;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Fraud.Api.Security;

/// <summary>
/// Token buckets per API key (its own rate, or the default per-key rate) and, for callers without
/// a key, per client IP (default 100 requests/s). Refused requests get 429 with Retry-After.
/// Health and metrics are not limited: probes and scrapers must always get through; nor are the
/// routes of the Dapr sidecar (actor calls), which its app token guards. Neither is an
/// open API (no keys, so loopback only): its callers are this machine's own scripts, which a limit
/// would only surprise, and the request-body budget still bounds its memory.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddApiRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                var keys = context.RequestServices.GetRequiredService<ApiKeyStore>();
                if (keys.IsOpen || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics")
                    || ApiExtensions.IsSidecarRoute(context.Request.Path))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var name = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirstValue(ClaimTypes.Name) : null;
                if (name is not null)
                {
                    var perKey = options.Keys.Find(k => k.Name == name)?.RequestsPerSecond is > 0 and var own ? own : options.RequestsPerSecondPerKey;
                    return RateLimitPartition.GetTokenBucketLimiter("key:" + name, _ => Bucket(perKey));
                }

                var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter("ip:" + ip, _ => Bucket(options.RequestsPerSecondPerIp));
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem("Too many requests for this API key or address; slow down and retry after the Retry-After delay.",
                    statusCode: 429, title: "Rate limit exceeded.").ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
            };
        });
        return services;
    }

    /// <summary>The limits in effect, as the start-up lines say them.</summary>
    public static string Describe(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ApiOptions>>().Value;
        return services.GetRequiredService<ApiKeyStore>().IsOpen
            ? "none (open on loopback, no API keys)"
            : string.Create(CultureInfo.InvariantCulture,
                $"{options.RequestsPerSecondPerKey} requests/s per API key (unless the key sets its own), {options.RequestsPerSecondPerIp}/s per address without a key");
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond) => new()
    {
        TokenLimit = perSecond,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
