using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Fraud.Runtime.Hosting;

/// <summary>
/// Where a service listens. Loopback by default; anything else (a container's <c>http://+:8080</c>)
/// must be asked for, and each service then insists on its credentials being configured.
/// </summary>
public static class Binding
{
    /// <summary>The configured URLs, or <paramref name="defaultUrl"/> (loopback) applied when none are.</summary>
    public static IReadOnlyList<string> UseUrlsOrLoopback(this WebApplicationBuilder builder, string defaultUrl)
    {
        var configured = builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"];
        if (string.IsNullOrWhiteSpace(configured) && builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any() is false)
        {
            builder.WebHost.UseUrls(defaultUrl);
            return [defaultUrl];
        }

        return configured?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
    }

    /// <summary>True when every URL names a loopback host (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopbackOnly(IReadOnlyList<string> urls)
    {
        foreach (var url in urls)
        {
            var host = HostOf(url);
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!IPAddress.TryParse(host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
            {
                return false;
            }
        }

        return true;
    }

    private static string HostOf(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var rest = start >= 0 ? url[(start + 3)..] : url;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? rest[..(close + 1)] : rest;
        }

        var end = rest.IndexOfAny([':', '/']);
        return end >= 0 ? rest[..end] : rest;
    }
}
