using System.Globalization;
using System.Text.RegularExpressions;
using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Runtime;

namespace Fraud.Deploy.Tests;

/// <summary>
/// The images the manifests name are the ones `docker/` builds: same names, ports, user, probe
/// path, entry assembly and model path, pinned base images, and the build steps in the runbook.
/// </summary>
public sealed partial class ImageTests
{
    public static TheoryData<string, string> Apps() => new()
    {
        { DaprNames.ApiAppId, "Fraud.Api" },
        { DaprNames.DetectorAppId, "Fraud.Detector" },
    };

    [Theory]
    [MemberData(nameof(Apps))]
    public void An_apps_image_serves_the_port_user_and_liveness_path_its_deployment_expects(string appId, string project)
    {
        var dockerfile = Repo.Read("docker", $"{appId}.Dockerfile");
        var deployment = Rendered.Overlay("prod").Get("Deployment", appId);
        var container = deployment.AppContainer();
        Assert.Equal($"ghcr.io/fraud-dapr/{appId}:1.0.0", container.Str("image"));
        Assert.Contains($"docker build -f docker/{appId}.Dockerfile -t ghcr.io/fraud-dapr/{appId}:<version> .", dockerfile, StringComparison.Ordinal);

        var port = container.List("ports").Single(p => p.Str("name") == "http").Long("containerPort")!.Value;
        Assert.Equal($"EXPOSE {port}", Single(dockerfile, "EXPOSE"));
        Assert.Contains($"ASPNETCORE_URLS=http://+:{port}", dockerfile, StringComparison.Ordinal);
        Assert.Equal(
            $"USER {deployment.Root.Long("spec", "template", "spec", "securityContext", "runAsUser")}",
            Single(dockerfile, "USER"));
        var liveness = container.Str("livenessProbe", "httpGet", "path")!;
        Assert.Contains($"/dev/tcp/127.0.0.1/{port}", Single(dockerfile, "HEALTHCHECK", continued: true), StringComparison.Ordinal);
        Assert.Contains($"GET {liveness} HTTP/1.0", Single(dockerfile, "HEALTHCHECK", continued: true), StringComparison.Ordinal);

        Assert.Contains($"dotnet publish services/{project} ", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Repo.Path("services", project, project + ".csproj")));
        Assert.Equal($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", Single(dockerfile, "ENTRYPOINT"));
    }

    [Fact]
    public void The_model_image_holds_the_file_the_init_container_copies_to_the_path_the_detector_loads()
    {
        var dockerfile = Repo.Read("docker", "fraud-model.Dockerfile");
        var deployment = Rendered.Overlay("prod").Get("Deployment", DaprNames.DetectorAppId);
        var init = deployment.InitContainers().Single(c => c.Str("name") == "model");
        Assert.Equal("ghcr.io/fraud-dapr/fraud-model:1.0.0", init.Str("image"));
        var copy = init.List("command").Select(c => (string)c!).ToList();
        Assert.Equal("cp", copy[0]);
        Assert.Equal($"COPY model.zip {copy[1]}", Single(dockerfile, "COPY"));
        var mount = init.List("volumeMounts").Single().Str("mountPath");
        Assert.Equal(mount, Path.GetDirectoryName(copy[2]));
        Assert.Contains($"Fraud__Detector__ModelPath={copy[2]}", Repo.Read("k8s", "base", "kustomization.yaml"), StringComparison.Ordinal);
        Assert.Contains($"Fraud__Detector__ModelPath={copy[2]}", Repo.Read("docker", "fraud-detector.Dockerfile"), StringComparison.Ordinal);
    }

    [Fact]
    public void Base_images_are_pinned_to_a_release_and_the_runbook_builds_every_image_the_manifests_name()
    {
        var runbook = Repo.Read("docs", "operations.md");
        foreach (var file in Directory.GetFiles(Repo.Path("docker"), "*.Dockerfile"))
        {
            foreach (var from in File.ReadLines(file).Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)))
            {
                Assert.Matches(PinnedImage(), from);
            }

            var name = Path.GetFileName(file)[..^".Dockerfile".Length];
            Assert.Contains($"docker build -f docker/{name}.Dockerfile", runbook, StringComparison.Ordinal);
        }

        var named = Rendered.Overlay("prod").OfKind("Deployment")
            .SelectMany(d => d.Containers().Concat(d.InitContainers()))
            .Select(c => c.Str("image")!)
            .Where(i => i.StartsWith("ghcr.io/fraud-dapr/", StringComparison.Ordinal))
            .Select(i => i["ghcr.io/fraud-dapr/".Length..i.IndexOf(':', StringComparison.Ordinal)])
            .ToHashSet();
        Assert.Equal(
            named.Order(StringComparer.Ordinal),
            Directory.GetFiles(Repo.Path("docker"), "*.Dockerfile").Select(f => Path.GetFileName(f)[..^".Dockerfile".Length]).Order(StringComparer.Ordinal));
    }

    /// <summary>The one instruction of that name (with its continuation lines when asked), trimmed.</summary>
    private static string Single(string dockerfile, string instruction, bool continued = false)
    {
        var lines = dockerfile.Split('\n');
        var index = Array.FindIndex(lines, l => l.StartsWith(instruction + " ", StringComparison.Ordinal));
        Assert.True(index >= 0, $"no {instruction} instruction");
        Assert.Equal(index, Array.FindLastIndex(lines, l => l.StartsWith(instruction + " ", StringComparison.Ordinal)));
        var text = lines[index].Trim();
        while (continued && text.EndsWith('\\') && ++index < lines.Length)
        {
            text = text[..^1].TrimEnd() + " " + lines[index].Trim();
        }

        return text;
    }

    // A tag with a full version (1.37.0, 10.0.12-bookworm-slim), never a floating one.
    [GeneratedRegex(@"^FROM [a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*( AS [a-z]+)?$")]
    private static partial Regex PinnedImage();
}
