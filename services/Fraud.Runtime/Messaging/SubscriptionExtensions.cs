using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fraud.Runtime.Messaging;

public static class SubscriptionExtensions
{
    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> (a singleton) to the topic of <typeparamref name="TEvent"/>
    /// (<c>Transaction</c>: <c>transactions</c>, <c>Verdict</c>: <c>feedback</c>). One handler per event type.
    /// </summary>
    public static IServiceCollection AddSubscription<TEvent, THandler>(this IServiceCollection services)
        where THandler : class, IEventHandler<TEvent>
    {
        if (services.Any(d => d.ServiceType == typeof(IEventHandler<TEvent>)))
        {
            throw new InvalidOperationException($"A handler of {typeof(TEvent).Name} events is already registered.");
        }

        services.TryAddSingleton<THandler>();
        services.AddSingleton<IEventHandler<TEvent>>(sp => sp.GetRequiredService<THandler>());
        return services;
    }
}
