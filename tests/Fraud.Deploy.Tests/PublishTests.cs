using System.Diagnostics;
using System.Reflection;
using Fraud.Deploy.Tests.Infrastructure;
using Fraud.TestSupport;

namespace Fraud.Deploy.Tests;

/// <summary>
/// What each deployable publishes: the images copy these outputs, and a user puts the published
/// <c>fraud</c> on PATH. The apps publish from the build this test run was built from.
/// </summary>
public sealed class PublishTests
{
    private static readonly string Configuration =
        typeof(PublishTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>Files that only the detector needs: the engine, ML.NET and LightGBM.</summary>
    private static readonly string[] DetectorOnly = ["Fraud.Core.dll", "Fraud.Detector.dll", "Microsoft.ML", "LightGBM", "lib_lightgbm"];

    [Fact]
    public async Task The_api_publishes_without_the_detector_the_engine_or_ML_NET()
    {
        using var output = TempDirectory.Create("fraud-api-publish");

        await PublishAsync("services/Fraud.Api", output.Path, "--no-build");

        Assert.True(File.Exists(output.Combine("Fraud.Api.dll")), "fraud-api's publish output has no Fraud.Api.dll");
        var files = Directory.GetFiles(output.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        var unwanted = files.Where(f => DetectorOnly.Any(d => f!.StartsWith(d, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(unwanted.Count == 0, $"fraud-api's publish output carries the detector's files: {string.Join(", ", unwanted)}");
        var deps = await File.ReadAllTextAsync(output.Combine("Fraud.Api.deps.json"));
        Assert.DoesNotContain("Microsoft.ML", deps, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_detector_publishes_with_its_model_runtime()
    {
        using var output = TempDirectory.Create("fraud-detector-publish");

        await PublishAsync("services/Fraud.Detector", output.Path, "--no-build");

        Assert.True(File.Exists(output.Combine("Fraud.Detector.dll")), "fraud-detector's publish output has no Fraud.Detector.dll");
        Assert.True(File.Exists(output.Combine("Microsoft.ML.LightGbm.dll")), "fraud-detector's publish output has no ML.NET LightGBM trainer");
    }

    [Fact]
    public async Task The_cli_publishes_as_one_fraud_program_that_runs()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Fail("this test publishes for linux-x64; run it on a linux-x64 machine");
        }

        using var output = TempDirectory.Create("fraud-cli-publish");
        using var artifacts = TempDirectory.Create("fraud-cli-artifacts");

        // Its own bin and obj: a publish for a runtime identifier restores and builds the whole graph
        // again, which must not rewrite the repository's outputs while other test projects use them.
        await PublishAsync("services/Fraud.Cli", output.Path, "-r", "linux-x64", "--artifacts-path", artifacts.Path);

        var fraud = output.Combine("fraud");
        Assert.True(File.Exists(fraud), "the CLI's publish output has no single `fraud` program");
        Assert.False(File.Exists(output.Combine("fraud.dll")), "the CLI published as loose assemblies, not as one program");
        var (exit, text) = await RunAsync(fraud, ["simulate", "--accounts", "50", "--merchants", "20", "--days", "1", "--seed", "3", "--out", output.Combine("sim.csv")]);
        Assert.True(exit == 0, $"the published fraud exited {exit}: {text}");
        Assert.StartsWith("transaction_id,", File.ReadLines(output.Combine("sim.csv")).First(), StringComparison.Ordinal);
    }

    private static async Task PublishAsync(string project, string output, params string[] extra)
    {
        var (exit, text) = await RunAsync("dotnet", ["publish", Repo.Path(project), "-c", Configuration, "-o", output, "--nologo", "-v", "q", .. extra]);
        Assert.True(exit == 0, $"dotnet publish {project} failed ({exit}):\n{text}");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 5 minutes");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
