using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fraud.Integration.Tests;

/// <summary>
/// A real <c>fraud run</c> process (the built fraud.dll beside the tests), on a free loopback
/// port read from its start-up lines. Killed hard with SIGKILL, or stopped with SIGINT like Ctrl+C.
/// </summary>
internal sealed partial class FraudProcess : ChildProcess
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FraudProcess(ProcessStartInfo start)
        : base(start, "fraud run")
    {
    }

    public Uri Address { get; private set; } = null!;

    public static Task<FraudProcess> StartAsync(params string[] arguments) => StartAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Starts with extra settings as environment variables (e.g. <c>Fraud__Api__RequestsPerSecondPerIp</c>).</summary>
    public static async Task<FraudProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "fraud.dll"), "run", "--urls", "http://127.0.0.1:0", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var fraud = new FraudProcess(start);
        var first = await Task.WhenAny(fraud._address.Task, fraud.Process.WaitForExitAsync(), Task.Delay(StartTimeout));
        if (first != fraud._address.Task)
        {
            await fraud.DisposeAsync();
            throw new InvalidOperationException($"fraud run did not start within {StartTimeout.TotalSeconds:0} s. Its output:\n{fraud.Output}");
        }

        fraud.Address = await fraud._address.Task;
        fraud.Http.BaseAddress = fraud.Address;
        return fraud;
    }

    /// <summary>SIGINT (Ctrl+C): the graceful path; returns the exit code.</summary>
    public Task<int> InterruptAsync(TimeSpan timeout) => SignalAsync("INT", timeout);

    protected override void OnLine(string line)
    {
        if (ConsoleLine().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"analyst console\s+(http://\S+?)/?$")]
    private static partial Regex ConsoleLine();
}
