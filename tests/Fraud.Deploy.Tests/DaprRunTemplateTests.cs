using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Detector;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;

namespace Fraud.Deploy.Tests;

/// <summary>dapr.yaml (`dapr run -f .`) against the services' contract and the files it names.</summary>
public sealed class DaprRunTemplateTests
{
    private static readonly object? Template = Yaml.LoadFile(Repo.Path("dapr.yaml")).Single().Root;

    private static IEnumerable<object?> Apps => Template.List("apps");

    /// <summary>A setting of an app, falling back to the template's common section.</summary>
    private static object? Setting(object? app, string name) => app.At(name) ?? Template.At("common", name);

    [Fact]
    public void Both_apps_are_declared_with_their_contract_ports()
    {
        Assert.Equal(1L, Template.Long("version"));
        var ports = Apps.ToDictionary(a => a.Str("appID") ?? "", a => a.Long("appPort"));
        Assert.Equal(new Dictionary<string, long?>
        {
            [DaprNames.ApiAppId] = ServiceRoutes.ApiPort,
            [DaprNames.DetectorAppId] = DetectorNames.Port,
        }, ports);
    }

    [Fact]
    public void Each_app_listens_where_its_sidecar_calls_it()
    {
        foreach (var app in Apps)
        {
            var urls = app.Str("env", "ASPNETCORE_URLS") ?? Template.Str("common", "env", "ASPNETCORE_URLS");
            Assert.NotNull(urls);
            var uri = new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal));
            Assert.Equal(app.Long("appPort"), uri.Port);
            // The apps bind only to loopback without API keys, and the sidecar calls 127.0.0.1.
            Assert.True(uri.IsLoopback, $"{app.Str("appID")} binds {urls}; without API keys the apps only bind to loopback");
        }
    }

    [Fact]
    public void Each_app_directory_holds_the_project_its_command_runs()
    {
        foreach (var app in Apps)
        {
            var dir = Repo.Path(app.Str("appDirPath")!);
            Assert.True(Directory.Exists(dir), $"appDirPath {dir} does not exist");
            // The built app, not `dotnet run`: two apps building their shared projects at once collide.
            var command = app.List("command").OfType<string>().ToList();
            var project = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(dir, "*.csproj")));
            Assert.Equal(["dotnet", $"bin/Release/net10.0/{project}.dll"], command);
        }
    }

    [Fact]
    public void Resources_and_configuration_paths_resolve_from_each_app_directory()
    {
        foreach (var app in Apps)
        {
            var dir = Repo.Path(app.Str("appDirPath")!);
            var resources = (Setting(app, "resourcesPaths") as List<object?>)?.OfType<string>().ToList() ?? [];
            Assert.NotEmpty(resources);
            foreach (var path in resources)
            {
                Assert.True(Directory.Exists(Path.GetFullPath(Path.Combine(dir, path))), $"{app.Str("appID")}: resources path {path} does not exist");
                Assert.Equal(Repo.Path("components"), Path.GetFullPath(Path.Combine(dir, path)));
            }

            var config = Setting(app, "configFilePath") as string;
            Assert.NotNull(config);
            var configDoc = Yaml.LoadFile(Path.GetFullPath(Path.Combine(dir, config))).Single();
            Assert.Equal("Configuration", configDoc.Kind);
        }
    }

    [Fact]
    public void App_health_checks_use_the_ready_route()
    {
        foreach (var app in Apps)
        {
            Assert.True(Setting(app, "enableAppHealthCheck") is true, "enableAppHealthCheck");
            Assert.Equal(ServiceRoutes.Ready, Setting(app, "appHealthCheckPath"));
        }
    }

    [Fact]
    public void Environment_names_are_settings_the_apps_read()
    {
        var names = Template.Map("common", "env").Keys.Concat(Apps.SelectMany(a => a.Map("env").Keys)).ToList();
        Assert.All(names, n => Assert.True(Contract.IsKnownAppSetting(n), $"{n} is not a setting the apps read"));
        Assert.Equal(nameof(RuntimeMode.Dapr), Template.Str("common", "env", "Fraud__Runtime__Mode"));
        Assert.True(TimeSpan.TryParse(Apps.Single(a => a.Str("appID") == DaprNames.DetectorAppId).Str("env", "Fraud__Detector__DrainTimeout"), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public void Local_secret_store_files_resolve_from_every_app_that_uses_them()
    {
        // The Dapr CLI starts daprd in appDirPath: a relative secretsFile is relative to it.
        foreach (var store in Manifests.LocalResources().OfKind("Component").Where(c => c.Root.Str("spec", "type") == "secretstores.local.file"))
        {
            var file = store.MetadataValue("secretsFile");
            Assert.NotNull(file);
            foreach (var app in Apps.Where(a => store.Scopes().Count == 0 || store.Scopes().Contains(a.Str("appID") ?? "")))
            {
                var full = Path.GetFullPath(Path.Combine(Repo.Path(app.Str("appDirPath")!), file));
                Assert.True(File.Exists(full), $"{store.Id}: {file} does not exist from {app.Str("appID")}'s directory ({full})");
            }
        }
    }
}
