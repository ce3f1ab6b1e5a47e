using System.Diagnostics;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// The TypeScript examples of <c>examples/</c>, installed from their lock file and compiled once per
/// test run with the machine's Node.js and npm; fails with what to install when they are missing.
/// </summary>
internal static class NodeExamples
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    public static string Directory { get; } = Path.Combine(DaprModeSystem.RepositoryRoot, "examples");

    /// <summary>The examples' folder once <c>npm ci</c> and <c>npm run build</c> have run.</summary>
    public static Task<string> BuildOnceAsync() => Built.Value;

    /// <summary>Starts <c>node dist/{script}.js</c> in the examples' folder; its output goes to <paramref name="output"/>.</summary>
    public static Process Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, List<string> output) =>
        Launch("node", [Path.Combine("dist", script + ".js"), .. arguments], environment, output);

    private static async Task<string> BuildAsync()
    {
        foreach (var tool in new[] { "node", "npm" })
        {
            if (!OnPath(tool))
            {
                throw new InvalidOperationException(
                    $"The polyglot examples' test needs {tool} on PATH and found none: install Node.js 18 or newer with npm (Debian/Ubuntu: `apt-get install nodejs npm`).");
            }
        }

        await RunAsync("npm", ["ci", "--no-audit", "--no-fund"]);
        await RunAsync("npm", ["run", "build"]);
        return Directory;
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        var output = new List<string>();
        using var process = Launch(file, arguments, new Dictionary<string, string>(), output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` in {Directory} exited with {process.ExitCode}:\n{string.Join('\n', output)}");
        }
    }

    private static Process Launch(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, List<string> output)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        void Add(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Add(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool OnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
