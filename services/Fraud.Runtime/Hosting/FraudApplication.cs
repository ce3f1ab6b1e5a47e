using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Fraud.Runtime.Hosting;

/// <summary>How every process of the system starts its web host.</summary>
public static class FraudApplication
{
    // Defaults below every other source (an appsettings.json a deployment mounts, the environment,
    // the command line). Kept in code rather than in each app's appsettings.json: two apps' files
    // would collide in the output of a process that hosts both (NETSDK1152).
    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Warning",
    };

    /// <summary>
    /// A builder whose settings come from the environment and arguments, read once (watching
    /// appsettings for changes would also wake on every write to a ledger file in the content
    /// root), listening on loopback at <paramref name="defaultPort"/> unless told otherwise; the
    /// addresses asked for are registered as <see cref="ListenAddresses"/>.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, int defaultPort)
    {
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        var urls = builder.UseUrlsOrLoopback($"http://127.0.0.1:{defaultPort}");
        builder.Services.AddSingleton(new ListenAddresses(urls));
        return builder;
    }
}
