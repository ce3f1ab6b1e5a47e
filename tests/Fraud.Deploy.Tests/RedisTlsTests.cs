using System.Text.RegularExpressions;
using Fraud.Deploy.Tests.Infrastructure;

namespace Fraud.Deploy.Tests;

/// <summary>
/// In the cluster every sidecar talks to Redis over TLS and verifies the server's certificate
/// against the CA the pod gives it (docs/operations.md, "Redis TLS").
/// </summary>
public sealed partial class RedisTlsTests
{
    public static TheoryData<string> Overlays() => new() { "dev", "prod" };

    private static IEnumerable<YamlDoc> RedisComponents(IReadOnlyList<YamlDoc> docs) =>
        docs.OfKind("Component").Where(c => c.Root.Str("spec", "type") is "state.redis" or "pubsub.redis");

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_Redis_component_uses_TLS_and_verifies_the_certificate(string overlay)
    {
        var components = RedisComponents(Rendered.Overlay(overlay)).ToList();
        Assert.NotEmpty(components);
        foreach (var component in components)
        {
            Assert.True(component.MetadataValue("enableTLS") == "true", $"{component.Id}: enableTLS is not \"true\"; Redis would be reached in clear text");
            // components-contrib common/component/redis/v9client.go newV9Client: InsecureSkipVerify = insecureSkipTLSVerify.
            Assert.True(component.MetadataValue("insecureSkipTLSVerify") is null or "false", $"{component.Id}: insecureSkipTLSVerify accepts any certificate");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_sidecar_that_loads_a_Redis_component_trusts_the_Redis_CA(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var apps = RedisComponents(docs).SelectMany(c => c.Scopes()).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(apps);
        foreach (var deployment in docs.OfKind("Deployment").Where(d => apps.Contains(d.PodAnnotations().GetValueOrDefault("dapr.io/app-id") as string ?? "")))
        {
            var annotations = deployment.PodAnnotations();
            var env = SidecarEnv(annotations.GetValueOrDefault("dapr.io/env") as string);
            Assert.False(env.ContainsKey("SSL_CERT_DIR"),
                $"{deployment.Id}: SSL_CERT_DIR makes the injector turn off the sidecar's runAsNonRoot and readOnlyRootFilesystem; use SSL_CERT_FILE");
            Assert.True(env.TryGetValue("SSL_CERT_FILE", out var certFile), $"{deployment.Id}: the sidecar has no SSL_CERT_FILE (dapr.io/env), so it cannot verify Redis's certificate");

            var mount = SidecarMounts(annotations.GetValueOrDefault("dapr.io/volume-mounts") as string)
                .SingleOrDefault(m => certFile.StartsWith(m.Path.TrimEnd('/') + "/", StringComparison.Ordinal));
            Assert.True(mount.Volume is not null, $"{deployment.Id}: {certFile} is in no volume of dapr.io/volume-mounts");

            // The injector skips a mount whose volume the pod lacks, with only a warning
            // (dapr pkg/injector/patcher/sidecar_volumes.go getVolumeMounts).
            var volume = deployment.Root.List("spec", "template", "spec", "volumes").SingleOrDefault(v => v.Str("name") == mount.Volume);
            Assert.True(volume is not null, $"{deployment.Id}: the pod has no volume {mount.Volume}");
            var file = certFile[(mount.Path.TrimEnd('/').Length + 1)..];
            Assert.True(volume.List("secret", "items").Any(i => i.Str("path") == file),
                $"{deployment.Id}: volume {mount.Volume} does not project a secret key to {file}");
        }
    }

    /// <summary>
    /// The sidecar environment the injector makes of <c>dapr.io/env</c>: comma-separated
    /// <c>KEY=value</c> pairs, split where a comma is followed by a name and '=' (dapr
    /// pkg/injector/patcher/sidecar_container.go getEnv).
    /// </summary>
    private static Dictionary<string, string> SidecarEnv(string? annotation)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(annotation))
        {
            return env;
        }

        var starts = EnvSeparator().Matches(annotation).Select(m => m.Index).Prepend(-1).Append(annotation.Length).ToList();
        for (var i = 0; i + 1 < starts.Count; i++)
        {
            var pair = annotation[(starts[i] + 1)..starts[i + 1]].Trim().Split('=');
            if (pair.Length == 2)
            {
                env[pair[0]] = pair[1];
            }
        }

        return env;
    }

    /// <summary><c>volume:path</c> pairs separated by commas (dapr sidecar_volumes.go parseVolumeMountsString).</summary>
    private static IEnumerable<(string? Volume, string Path)> SidecarMounts(string? annotation) =>
        (annotation ?? "").Split(',')
            .Select(v => v.Trim().Split(':'))
            .Where(v => v.Length == 2)
            .Select(v => ((string?)v[0], v[1]));

    [GeneratedRegex(@"(,)\s*[a-zA-Z_][a-zA-Z0-9_]*=", RegexOptions.Multiline)]
    private static partial Regex EnvSeparator();
}
