using System.Diagnostics;
using System.Globalization;

namespace Fraud.Integration.Tests;

/// <summary>
/// A process a test started: its output collected as it comes, an <see cref="Http"/> client for
/// it, and the ways to stop it (SIGKILL, or a signal such as SIGTERM or SIGINT and a wait).
/// </summary>
internal abstract class ChildProcess : IAsyncDisposable
{
    private readonly List<string> _output = [];

    protected ChildProcess(ProcessStartInfo start, string name)
    {
        // A test run started in the background (`cmd &` in a script, CI runners) inherits SIGINT and
        // SIGQUIT ignored, its children too, and .NET leaves an inherited ignored SIGINT ignored
        // (dotnet/runtime pal_signal.c InstallSignalHandler): Ctrl+C tests would then wait forever.
        // coreutils' env restores the default disposition before it execs the child.
        start.ArgumentList.Insert(0, start.FileName);
        start.ArgumentList.Insert(0, "--default-signal=INT,QUIT");
        start.FileName = "env";
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Name = name;
        Process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public string Name { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public bool HasExited => Process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    protected Process Process { get; }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>Sends <paramref name="signal"/> (TERM as Kubernetes does, INT as Ctrl+C) and waits for the exit; returns the exit code.</summary>
    public async Task<int> SignalAsync(string signal, TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        await Process.WaitForExitAsync(wait.Token);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }

    /// <summary>Each line of output, once recorded.</summary>
    protected virtual void OnLine(string line)
    {
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        OnLine(line);
    }
}
