namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>Paths of the repository the tests run in (found from the test binary upwards).</summary>
public static class Repo
{
    public static string Root => Fraud.TestSupport.RepositoryRoot.Path;

    /// <summary>The folders the deployment side owns; every YAML/JSON file in them is checked.</summary>
    public static readonly string[] DeploymentFolders = ["components", "k8s", "keda", "monitoring"];

    public static string Path(params string[] parts) => System.IO.Path.GetFullPath(System.IO.Path.Combine([Root, .. parts]));

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts));

    /// <summary>Repository-relative path with forward slashes, for messages.</summary>
    public static string Relative(string fullPath) => System.IO.Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    /// <summary>dapr.yaml plus every *.yaml, *.yml and *.json under the deployment folders.</summary>
    public static IReadOnlyList<string> DeploymentFiles()
    {
        var files = new List<string> { Path("dapr.yaml") };
        foreach (var folder in DeploymentFolders)
        {
            var dir = Path(folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            files.AddRange(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)));
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
