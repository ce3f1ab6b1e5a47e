namespace Fraud.Api.Tests.Infrastructure;

/// <summary>
/// One app for a whole test class (xunit class fixture): started with <see cref="Settings"/>, then
/// <see cref="SeedAsync"/> runs once. Tests of a class run one after another, so they share it
/// safely as long as each only changes what it alone reads.
/// </summary>
public abstract class HostFixture : IAsyncLifetime
{
    private ApiHost? _host;

    public ApiHost Host => _host ?? throw new InvalidOperationException("The fixture has not started.");

    protected virtual string[] Settings => [];

    public async Task InitializeAsync()
    {
        _host = await ApiHost.StartAsync(Settings);
        await SeedAsync(_host);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    protected virtual Task SeedAsync(ApiHost host) => Task.CompletedTask;
}

/// <summary>An app without keys (open, loopback) and nothing in it.</summary>
public sealed class OpenHostFixture : HostFixture;
