using Fraud.Deploy.Tests.Infrastructure;
using k8s;

namespace Fraud.Deploy.Tests;

/// <summary>
/// Schema checks of every rendered object. Built-in Kubernetes kinds are deserialized strictly into
/// the KubernetesClient models (unknown fields and wrong types fail); custom resources are checked
/// against the structural schemas of <see cref="KnownShapes"/>; anything else fails as unchecked.
/// </summary>
public sealed class SchemaTests
{
    public static TheoryData<string> Renderings() => new()
    {
        "k8s/overlays/dev",
        "k8s/overlays/prod",
        "k8s/cluster",
        "k8s/kafka",
        "k8s/kafka-dev",
    };

    [Theory]
    [MemberData(nameof(Renderings))]
    public void Every_rendered_object_matches_its_schema(string dir)
    {
        var errors = new List<string>();
        foreach (var doc in Rendered.Kustomization(dir))
        {
            errors.AddRange(CheckObject(doc));
        }

        Assert.Empty(errors);
    }

    [Fact]
    public void The_example_secrets_match_the_Secret_schema()
    {
        var errors = Yaml.LoadFile(Repo.Path("k8s", "secrets", "secrets.example.yaml")).SelectMany(CheckObject).ToList();
        Assert.Empty(errors);
    }

    [Fact]
    public void Local_dapr_resources_match_their_schemas()
    {
        var docs = Manifests.LocalResources().Concat(Yaml.LoadFile(Repo.Path("components", "config", "config.yaml")));
        var errors = docs.SelectMany(CheckObject).ToList();
        Assert.Empty(errors);
    }

    [Fact]
    public void The_multi_app_run_template_matches_the_Dapr_CLI_fields()
    {
        var template = Yaml.LoadFile(Repo.Path("dapr.yaml")).Single();
        Assert.Empty(KnownShapes.DaprRunTemplate.Validate(template.Root));
    }

    private static IEnumerable<string> CheckObject(YamlDoc doc)
    {
        var key = $"{doc.ApiVersion}/{doc.Kind}";
        if (KnownShapes.CustomResources.TryGetValue(key, out var shape))
        {
            return shape.Validate(doc.Root).Select(e => $"{doc.Where} {doc.Id}: {e}");
        }

        if (!BuiltInKinds.Contains(key))
        {
            return [$"{doc.Where}: no schema for {key} - add one to KnownShapes or the built-in list"];
        }

        var errors = new List<string>();
        try
        {
            var objects = KubernetesYaml.LoadAllFromString(doc.Text, null, strict: true);
            if (objects.Count != 1)
            {
                errors.Add($"{doc.Where}: expected one object, read {objects.Count}");
            }
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            errors.Add($"{doc.Where} {doc.Id}: {e.Message}{(e.InnerException is null ? "" : " - " + e.InnerException.Message)}");
        }

        // The models take `true` or `8080` into string fields; the API server does not.
        errors.AddRange(StringOnlyFields(doc));
        return errors;
    }

    /// <summary>Built-in kinds the KubernetesClient models cover (apiVersion/kind).</summary>
    private static readonly HashSet<string> BuiltInKinds = new(StringComparer.Ordinal)
    {
        "v1/Namespace", "v1/ServiceAccount", "v1/ConfigMap", "v1/Secret", "v1/Service",
        "apps/v1/Deployment", "policy/v1/PodDisruptionBudget", "autoscaling/v2/HorizontalPodAutoscaler",
        "networking.k8s.io/v1/Ingress", "networking.k8s.io/v1/NetworkPolicy",
        "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding",
    };

    private static IEnumerable<string> StringOnlyFields(YamlDoc doc)
    {
        foreach (var (path, node) in doc.Root.Walk())
        {
            var stringMap = path.EndsWith(".labels", StringComparison.Ordinal) || path.EndsWith(".annotations", StringComparison.Ordinal)
                || path.EndsWith(".matchLabels", StringComparison.Ordinal) || path.EndsWith(".selector", StringComparison.Ordinal) && doc.Kind == "Service"
                || path is ".data" or ".stringData";
            if (stringMap && node is Dictionary<string, object?> map)
            {
                foreach (var (key, value) in map.Where(kv => kv.Value is not string))
                {
                    yield return $"{doc.Where} {doc.Id}: {path}.{key} must be a string, found '{value}' (quote it)";
                }
            }

            if (node is Dictionary<string, object?> env && path.Contains(".env[", StringComparison.Ordinal) && env.TryGetValue("value", out var v) && v is not string && env.ContainsKey("name"))
            {
                yield return $"{doc.Where} {doc.Id}: {path}.value of {env["name"]} must be a string, found '{v}' (quote it)";
            }
        }
    }
}
