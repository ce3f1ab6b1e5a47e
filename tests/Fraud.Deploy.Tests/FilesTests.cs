using System.Text.Json;
using Fraud.Deploy.Tests.Infrastructure;

namespace Fraud.Deploy.Tests;

/// <summary>Every deployment file parses; every kustomization names files that exist and renders.</summary>
public sealed class FilesTests
{
    [Fact]
    public void Every_yaml_and_json_file_parses()
    {
        var files = Repo.DeploymentFiles();
        Assert.True(files.Count > 20, $"only {files.Count} deployment files found under {Repo.Root}");
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                if (file.EndsWith(".json", StringComparison.Ordinal))
                {
                    using var _ = JsonDocument.Parse(File.ReadAllText(file));
                }
                else
                {
                    var docs = Yaml.LoadFile(file);
                    if (docs.Count == 0)
                    {
                        failures.Add($"{Repo.Relative(file)}: no YAML document");
                    }
                }
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                failures.Add($"{Repo.Relative(file)}: {e.Message}");
            }
        }

        Assert.Empty(failures);
    }

    private static IEnumerable<string> KustomizationDirs() =>
        new[] { "k8s", "keda", "monitoring" }
            .SelectMany(folder => Directory.EnumerateFiles(Repo.Path(folder), "kustomization.yaml", SearchOption.AllDirectories))
            .Select(file => Repo.Relative(Path.GetDirectoryName(file)!))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> Kustomizations() => new(KustomizationDirs());

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Kustomization_references_files_that_exist(string dir)
    {
        var kustomization = Yaml.LoadFile(Repo.Path(dir, "kustomization.yaml")).Single();
        Assert.Empty(KnownShapes.Kustomization.Validate(kustomization.Root));

        var missing = new List<string>();
        void Expect(string relative, bool directoryAllowed)
        {
            var full = Repo.Path(dir, relative);
            if (!File.Exists(full) && !(directoryAllowed && File.Exists(Path.Combine(full, "kustomization.yaml"))))
            {
                missing.Add(relative);
            }
        }

        foreach (var resource in kustomization.Root.List("resources").OfType<string>())
        {
            Expect(resource, directoryAllowed: true);
        }

        foreach (var patch in kustomization.Root.List("patches"))
        {
            if (patch.Str("path") is { } path)
            {
                Expect(path, directoryAllowed: false);
            }
        }

        foreach (var generator in kustomization.Root.List("configMapGenerator").Concat(kustomization.Root.List("secretGenerator")))
        {
            foreach (var file in generator.List("files").OfType<string>().Concat(generator.List("envs").OfType<string>()))
            {
                Expect(file.Contains('=', StringComparison.Ordinal) ? file[(file.IndexOf('=', StringComparison.Ordinal) + 1)..] : file, directoryAllowed: false);
            }
        }

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Kustomization_renders(string dir)
    {
        var docs = Rendered.Kustomization(dir);
        Assert.NotEmpty(docs);
        Assert.All(docs, d => Assert.False(string.IsNullOrEmpty(d.Kind), $"{d.Where} has no kind"));
    }

    [Fact]
    public void Every_manifest_in_the_deployment_folders_is_rendered_by_some_kustomization()
    {
        // A YAML file that no kustomization lists is never applied: a silent gap.
        var rendered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in KustomizationDirs())
        {
            foreach (var doc in Rendered.Kustomization(dir))
            {
                rendered.Add($"{doc.Kind}/{doc.Name}");
            }
        }

        var notApplied = new List<string>();
        foreach (var file in Repo.DeploymentFiles().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var relative = Repo.Relative(file);
            if (relative.StartsWith("components/", StringComparison.Ordinal) || relative == "dapr.yaml"
                || relative.StartsWith("k8s/secrets/", StringComparison.Ordinal) || relative.EndsWith("kustomization.yaml", StringComparison.Ordinal)
                || relative.Contains("/patches/", StringComparison.Ordinal) || relative == "monitoring/prometheus-adapter-values.yaml")
            {
                continue; // local run, examples, kustomize inputs, Helm values
            }

            foreach (var doc in Yaml.LoadFile(file))
            {
                var name = doc.Name;
                var id = $"{doc.Kind}/{name}";
                // Generated ConfigMaps carry a hash suffix; everything else keeps its name.
                if (!rendered.Contains(id) && !rendered.Any(r => r.StartsWith(id + "-", StringComparison.Ordinal)))
                {
                    notApplied.Add($"{relative}: {id}");
                }
            }
        }

        Assert.Empty(notApplied);
    }
}
