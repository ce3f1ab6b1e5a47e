using Microsoft.Extensions.DependencyInjection;

namespace Fraud.Runtime.Hosting;

/// <summary>
/// What a service needs before it may listen beyond loopback (API keys, Dapr's app token): a
/// network-reachable endpoint without it is never a safe default. Checked by <see cref="LoopbackGuard"/>.
/// </summary>
/// <param name="Service">The service's name, for the message.</param>
/// <param name="IsMet">Whether the process has what is needed.</param>
/// <param name="Missing">What it lacks, as in "without API keys".</param>
/// <param name="Remedy">What to configure, or to listen on 127.0.0.1.</param>
public sealed record BeyondLoopbackRequirement(string Service, Func<IServiceProvider, bool> IsMet, string Missing, string Remedy)
{
    /// <summary>Dapr's app token (<c>APP_API_TOKEN</c>), for a service whose routes <paramref name="sidecarCalls"/> are its sidecar's only.</summary>
    public static BeyondLoopbackRequirement AppToken(string service, string sidecarCalls) => new(
        service,
        sp => !string.IsNullOrEmpty(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[DaprAppTokenMiddleware.TokenSetting]),
        DaprAppTokenMiddleware.TokenSetting,
        $"Set it (and the sidecar's dapr.io/app-token-secret) so that only its Dapr sidecar can call {sidecarCalls}.");
}
