using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Fraud.Detector.Tests.Infrastructure;

/// <summary>
/// Lets a test change the services of an app built by <c>Program.Create</c> exactly as it is,
/// through the hosting library's documented <c>HostBuilding</c> diagnostic event (the hook the
/// ASP.NET test host uses): the host raises it in <c>Build()</c> with its <see cref="IHostBuilder"/>,
/// before the service provider is made. Each app is matched by an id in its configuration, so tests
/// running in parallel never touch each other's apps.
/// </summary>
internal static class HostBuildingHook
{
    public const string IdSetting = "Fraud:Tests:HostId";

    private static readonly ConcurrentDictionary<string, Action<HostBuilderContext, Microsoft.Extensions.DependencyInjection.IServiceCollection>> Configurators = new();
    private static readonly IDisposable Subscription = DiagnosticListener.AllListeners.Subscribe(new Listeners());

    /// <summary>Registers <paramref name="configure"/> for the app whose configuration carries <paramref name="id"/>.</summary>
    public static IDisposable Register(string id, Action<HostBuilderContext, Microsoft.Extensions.DependencyInjection.IServiceCollection> configure)
    {
        GC.KeepAlive(Subscription);
        Configurators[id] = configure;
        return new Registration(id);
    }

    private sealed class Registration(string id) : IDisposable
    {
        public void Dispose() => Configurators.TryRemove(id, out _);
    }

    private sealed class Listeners : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.Extensions.Hosting")
            {
                value.Subscribe(new Events());
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class Events : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == "HostBuilding" && value.Value is IHostBuilder builder)
            {
                builder.ConfigureServices((context, services) =>
                {
                    if (context.Configuration[IdSetting] is { } id && Configurators.TryGetValue(id, out var configure))
                    {
                        configure(context, services);
                    }
                });
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
