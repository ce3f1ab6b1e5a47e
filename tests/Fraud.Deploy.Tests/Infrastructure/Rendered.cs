using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>
/// Kustomizations rendered by `kubectl kustomize` (kubectl ships kustomize; offline, no cluster),
/// cached per directory for the test run.
/// </summary>
public static class Rendered
{
    public static readonly string[] Overlays = ["dev", "prod"];

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<YamlDoc>>> Cache = new(StringComparer.Ordinal);

    public static IReadOnlyList<YamlDoc> Overlay(string name) => Kustomization(System.IO.Path.Combine("k8s", "overlays", name));

    /// <summary>The rendered objects of the kustomization in <paramref name="relativeDir"/>.</summary>
    public static IReadOnlyList<YamlDoc> Kustomization(string relativeDir) =>
        Cache.GetOrAdd(relativeDir, dir => new Lazy<IReadOnlyList<YamlDoc>>(() => Render(dir))).Value;

    private static IReadOnlyList<YamlDoc> Render(string relativeDir)
    {
        var kubectl = FindKubectl() ?? throw new InvalidOperationException(
            "kubectl is needed to render the kustomizations (it embeds kustomize and works offline): install the Debian package `kubectl`, or put kubectl on PATH.");
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(Repo.Path(relativeDir));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {relativeDir} took over 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {relativeDir} failed ({process.ExitCode}): {stderr.Result}");
        }

        return Yaml.LoadText(stdout.Result, $"kubectl kustomize {relativeDir.Replace('\\', '/')}");
    }

    private static string? FindKubectl()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
