namespace Fraud.Cli.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fraud-cli-args-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ABadRowIsReportedWithFileLineAndColumn()
    {
        var path = Path.Combine(_directory, "bad.csv");
        await File.WriteAllLinesAsync(path,
        [
            "transaction_id,account_id,timestamp,amount,is_fraud",
            "t1,a1,2026-01-01 10:00:00,12.50,0",
            "t2,a1,2026-01-01 11:00:00,12;5x,0",
        ]);

        var (code, _, error) = await CliRunner.Run("train", "--data", path, "--out", Path.Combine(_directory, "m.zip"));

        Assert.Equal(1, code);
        Assert.Contains("bad.csv:3:4: column 'amount': '12;5x' is not a number", error, StringComparison.Ordinal);
        Assert.Contains("--skip-bad-rows", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MappedColumnsAndSkippedRowsAreReported()
    {
        var path = Path.Combine(_directory, "export.csv");
        var lines = new List<string> { "id;card;when;value;label" };
        for (var i = 0; i < 300; i++)
        {
            lines.Add($"x{i};c{i % 20};2026-01-01T{i / 60 % 24:00}:{i % 60:00}:00Z;{10 + i % 7};{(i % 50 == 0 ? 1 : 0)}");
        }

        lines.Add("broken;c1;not-a-date;5;0");
        await File.WriteAllLinesAsync(path, lines);

        var (code, output, error) = await CliRunner.Run("train", "--data", path, "--out", Path.Combine(_directory, "m.zip"),
            "--map", "transaction_id=id", "--map", "account_id=card", "--map", "timestamp=when", "--map", "amount=value",
            "--map", "is_fraud=label", "--skip-bad-rows");

        Assert.True(code == 0, error);
        Assert.Contains("skipped 1 bad rows", output, StringComparison.Ordinal);
        Assert.Contains("trained", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "backtest", "--data", "x.csv" }, "--train-from is required")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--bogus" }, "unknown option --bogus")]
    [InlineData(new[] { "simulate", "--out", "x.csv", "--days", "many" }, "--days 'many' must be a whole number")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--map", "amount" }, "'amount' is not field=column")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--label-delay", "soon" }, "is not a duration")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    public async Task UsageErrorsSayWhatIsWrong(string[] args, string expected)
    {
        var (code, _, error) = await CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BacktestWindowsMustBeInOrder()
    {
        var (code, _, error) = await CliRunner.Run("backtest", "--data", "x.csv", "--train-from", "2026-01-10", "--train-to", "2026-01-05",
            "--test-from", "2026-01-20", "--test-to", "2026-01-25");
        Assert.Equal(2, code);
        Assert.Contains("--train-to 2026-01-05 is before --train-from 2026-01-10", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpListsTheCommandsAndTheirOptions()
    {
        var overview = await CliRunner.Run("--help");
        Assert.Equal(0, overview.ExitCode);
        foreach (var command in new[] { "simulate", "train", "backtest", "score" })
        {
            Assert.Contains(command, overview.Output, StringComparison.Ordinal);
        }

        var backtest = await CliRunner.Run("backtest", "--help");
        Assert.Contains("--scores-out", backtest.Output, StringComparison.Ordinal);
        Assert.Contains("--label-delay", backtest.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulateIsDeterministicForASeed()
    {
        var a = Path.Combine(_directory, "a.csv");
        var b = Path.Combine(_directory, "b.csv");
        await CliRunner.Run("simulate", "--accounts", "200", "--merchants", "50", "--days", "3", "--seed", "5", "--out", a);
        await CliRunner.Run("simulate", "--accounts", "200", "--merchants", "50", "--days", "3", "--seed", "5", "--out", b);
        Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));
        Assert.True(new FileInfo(a).Length > 10_000);
    }
}
