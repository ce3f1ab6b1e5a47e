using System.Globalization;

namespace Fraud.Cli.Tests;

/// <summary>
/// One small simulated stream shared by the end-to-end tests (written once per test run):
/// 45 days, so a backtest can train on days 15–21, wait out a 7-day label delay and test on days 29–35.
/// </summary>
public sealed class SimulatedData : IAsyncLifetime
{
    public const string TrainFrom = "2026-01-15";
    public const string TrainTo = "2026-01-21";
    public const string TestFrom = "2026-01-29";
    public const string TestTo = "2026-02-04";

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fraud-cli-").FullName;

    public string Path => System.IO.Path.Combine(Directory, "sim.csv");

    public async Task InitializeAsync()
    {
        var (code, _, error) = await CliRunner.Run("simulate", "--accounts", "2000", "--merchants", "300", "--days", "36", "--seed", "7", "--out", Path);
        Assert.True(code == 0, error);
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    public static string[] BacktestArgs(string data, params string[] more) =>
    [
        "backtest", "--data", data, "--train-from", TrainFrom, "--train-to", TrainTo,
        "--test-from", TestFrom, "--test-to", TestTo, "--label-delay", "7d", .. more,
    ];

    /// <summary>Rows of a canonical CSV as (id, timestamp, account, amount, is_fraud).</summary>
    public static IEnumerable<(string Id, DateTimeOffset Time, string Account, double Amount, bool Fraud)> Read(string path)
    {
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            yield return (f[0], DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture), f[2], double.Parse(f[3], CultureInfo.InvariantCulture), f[12] == "1");
        }
    }
}
