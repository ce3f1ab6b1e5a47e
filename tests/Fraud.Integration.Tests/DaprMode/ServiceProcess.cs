using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Fraud.Integration.Tests.DaprMode;

/// <summary>
/// fraud-api or fraud-detector as it is deployed: its own built <c>dotnet Fraud.X.dll</c> in its
/// own process, with the environment its sidecar gives it, on a loopback port.
/// </summary>
internal sealed class ServiceProcess : ChildProcess
{
    private ServiceProcess(string name, ProcessStartInfo start, int port)
        : base(start, name)
    {
        Port = port;
        Http.BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    public int Port { get; }

    public static ServiceProcess Start(string name, string assembly, int port, IReadOnlyDictionary<string, string> environment)
    {
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{name} is not built: {assembly} is missing (build the solution first)", assembly);
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(assembly)! };
        foreach (var argument in (string[])[assembly, "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ServiceProcess(name, start, port);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails with the process's output if it exits or the time runs out.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {Process.ExitCode} before it was ready. Its output:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
    }

    /// <summary>SIGTERM, what Kubernetes sends a pod it stops; returns the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => SignalAsync("TERM", timeout);
}
