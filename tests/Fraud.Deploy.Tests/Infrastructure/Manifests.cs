using System.Globalization;
using System.Text.RegularExpressions;

namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>Lookups over loaded manifests.</summary>
public static partial class Manifests
{
    public static IEnumerable<YamlDoc> OfKind(this IEnumerable<YamlDoc> docs, string kind) =>
        docs.Where(d => d.Kind == kind);

    public static YamlDoc? Find(this IEnumerable<YamlDoc> docs, string kind, string name) =>
        docs.FirstOrDefault(d => d.Kind == kind && d.Name == name);

    public static YamlDoc Get(this IEnumerable<YamlDoc> docs, string kind, string name) =>
        docs.Find(kind, name) ?? throw new Xunit.Sdk.XunitException($"no {kind} named {name}");

    public static List<object?> Containers(this YamlDoc workload) => workload.Root.List("spec", "template", "spec", "containers");

    public static List<object?> InitContainers(this YamlDoc workload) => workload.Root.List("spec", "template", "spec", "initContainers");

    public static Dictionary<string, object?> PodAnnotations(this YamlDoc workload) => workload.Root.Map("spec", "template", "metadata", "annotations");

    public static Dictionary<string, object?> PodLabels(this YamlDoc workload) => workload.Root.Map("spec", "template", "metadata", "labels");

    /// <summary>The app container of a Dapr-enabled Deployment: the one named like its app id.</summary>
    public static object? AppContainer(this YamlDoc workload)
    {
        var appId = workload.PodAnnotations().GetValueOrDefault("dapr.io/app-id") as string;
        return workload.Containers().FirstOrDefault(c => c.Str("name") == appId);
    }

    /// <summary>Components, Configurations and Resiliency specs that daprd loads from components/ (top level only).</summary>
    public static IReadOnlyList<YamlDoc> LocalResources() =>
        Directory.EnumerateFiles(Repo.Path("components"), "*.yaml", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .SelectMany(Yaml.LoadFile)
            .ToList();

    /// <summary>Metadata items of a Dapr component by name.</summary>
    public static Dictionary<string, object?> ComponentMetadata(this YamlDoc component)
    {
        var items = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var item in component.Root.List("spec", "metadata"))
        {
            items[item.Str("name") ?? ""] = item;
        }

        return items;
    }

    /// <summary>A component metadata value (null when the item is absent or is a secret reference).</summary>
    public static string? MetadataValue(this YamlDoc component, string name) =>
        component.ComponentMetadata().GetValueOrDefault(name).Str("value");

    public static (string Name, string Key)? MetadataSecret(this YamlDoc component, string name)
    {
        var item = component.ComponentMetadata().GetValueOrDefault(name);
        var secret = item.Str("secretKeyRef", "name");
        return secret is null ? null : (secret, item.Str("secretKeyRef", "key") ?? secret);
    }

    public static IReadOnlyList<string> Scopes(this YamlDoc doc) =>
        doc.Root.List("scopes").Select(s => s as string ?? "").ToList();

    public static bool IsActorStateStore(this YamlDoc component) =>
        string.Equals(component.MetadataValue("actorStateStore"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a Go duration ("70s", "1m30s", "200ms").</summary>
    public static TimeSpan GoDuration(string text)
    {
        var total = TimeSpan.Zero;
        var matches = GoDurationPart().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            throw new FormatException($"'{text}' is not a Go duration");
        }

        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                "us" or "µs" => TimeSpan.FromMicroseconds(n),
                _ => TimeSpan.FromTicks((long)(n / 100)),
            };
        }

        return total;
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)")]
    private static partial Regex GoDurationPart();

    /// <summary>Every (secret, key) a rendered environment expects to exist in its namespace.</summary>
    public static IReadOnlyList<(string Secret, string Key, string Where)> SecretReferences(IReadOnlyList<YamlDoc> docs)
    {
        var refs = new List<(string, string, string)>();
        foreach (var workload in docs.OfKind("Deployment"))
        {
            foreach (var container in workload.Containers().Concat(workload.InitContainers()))
            {
                foreach (var env in container.List("env"))
                {
                    var name = env.Str("valueFrom", "secretKeyRef", "name");
                    if (name is not null)
                    {
                        refs.Add((name, env.Str("valueFrom", "secretKeyRef", "key") ?? "", $"{workload.Id} env {env.Str("name")}"));
                    }
                }
            }

            foreach (var volume in workload.Root.List("spec", "template", "spec", "volumes"))
            {
                if (volume.Str("secret", "secretName") is { } name)
                {
                    refs.AddRange(volume.List("secret", "items").Select(i => (name, i.Str("key") ?? "", $"{workload.Id} volume {volume.Str("name")}")));
                }
            }

            foreach (var annotation in new[] { "dapr.io/app-token-secret", "dapr.io/api-token-secret" })
            {
                if (workload.PodAnnotations().GetValueOrDefault(annotation) is string secret)
                {
                    refs.Add((secret, "token", $"{workload.Id} {annotation}"));
                }
            }
        }

        foreach (var component in docs.OfKind("Component"))
        {
            var store = component.Root.Str("auth", "secretStore");
            if (store is not null && store != "kubernetes")
            {
                continue;
            }

            foreach (var (itemName, item) in component.ComponentMetadata())
            {
                var secret = item.Str("secretKeyRef", "name");
                if (secret is not null)
                {
                    refs.Add((secret, item.Str("secretKeyRef", "key") ?? secret, $"{component.Id} {itemName}"));
                }
            }
        }

        foreach (var auth in docs.OfKind("TriggerAuthentication"))
        {
            foreach (var target in auth.Root.List("spec", "secretTargetRef"))
            {
                refs.Add((target.Str("name") ?? "", target.Str("key") ?? "", $"{auth.Id} {target.Str("parameter")}"));
            }
        }

        return refs;
    }
}
