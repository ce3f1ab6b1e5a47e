using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Fraud.Runtime.Hosting;

/// <summary>
/// Refuses to run beyond loopback without what each service in the process requires
/// (<see cref="BeyondLoopbackRequirement"/>): first on the addresses asked for, so that a plain
/// misconfiguration fails before anything listens, then on the addresses Kestrel really bound,
/// since <c>Kestrel:Endpoints</c> configuration binds addresses that <c>--urls</c> does not show.
/// </summary>
public sealed class LoopbackGuard(IServer server, IServiceProvider services) : IHostedLifecycleService
{
    /// <summary>Throws <see cref="InvalidOperationException"/> naming the addresses and the remedy when a requirement is not met.</summary>
    public static void Check(IServiceProvider services, IReadOnlyCollection<string> addresses)
    {
        if (Binding.IsLoopbackOnly([.. addresses]))
        {
            return;
        }

        foreach (var requirement in services.GetServices<BeyondLoopbackRequirement>())
        {
            if (!requirement.IsMet(services))
            {
                throw new InvalidOperationException(
                    $"{requirement.Service} is asked to listen on {string.Join(", ", addresses)}, beyond loopback, without {requirement.Missing}. {requirement.Remedy}");
            }
        }
    }

    /// <summary>Registers <paramref name="requirement"/> and the guard that checks it after start-up.</summary>
    public static void Require(IServiceCollection services, BeyondLoopbackRequirement requirement)
    {
        services.AddSingleton(requirement);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LoopbackGuard>());
    }

    // After every hosted service started, Kestrel included: its addresses are the bound ones.
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        Check(services, [.. server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []]);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
