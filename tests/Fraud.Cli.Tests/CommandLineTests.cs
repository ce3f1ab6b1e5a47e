using System.IO.Compression;
using System.Reflection;
using System.Text;

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

        var (code, _, error) = await TrainAsync(path);

        Assert.Equal(1, code);
        Assert.Contains("bad.csv:3:4: column 'amount': '12;5x' is not a number", error, StringComparison.Ordinal);
        Assert.Contains("--skip-bad-rows", error, StringComparison.Ordinal);
    }

    /// <summary>1900-01-01 is a common null-date placeholder in exports: refused where it stands, never a crash.</summary>
    [Fact]
    public async Task ATimestampOutsideTheContractRangeIsRefusedWithFileLineAndColumnOrSkipped()
    {
        var path = Path.Combine(_directory, "dates.csv");
        var lines = new List<string> { "transaction_id,account_id,timestamp,amount,is_fraud" };
        for (var i = 0; i < 200; i++)
        {
            lines.Add($"t{i},a{i % 10},2026-01-01T{i / 60 % 24:00}:{i % 60:00}:00Z,{10 + i % 7},{(i % 40 == 0 ? 1 : 0)}");
        }

        lines.Add("t-null,a1,1900-01-01 00:00:00,12.50,0");
        await File.WriteAllLinesAsync(path, lines);

        var (refusedCode, _, refused) = await TrainAsync(path);
        var (skippedCode, skippedOutput, skippedError) = await TrainAsync(path, "--skip-bad-rows");

        Assert.Equal(1, refusedCode);
        Assert.Contains("dates.csv:202:3: column 'timestamp': '1900-01-01 00:00:00' must be between 2000-01-01 and 2067-12-31", refused, StringComparison.Ordinal);
        Assert.True(skippedCode == 0, skippedError);
        Assert.Contains("skipped 1 bad row:\n  dates.csv:202:3: column 'timestamp': '1900-01-01 00:00:00' must be between 2000-01-01 and 2067-12-31\n",
            skippedOutput.ReplaceLineEndings("\n"), StringComparison.Ordinal);
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

        var (code, output, error) = await TrainAsync(path,
            "--map", "transaction_id=id", "--map", "account_id=card", "--map", "timestamp=when", "--map", "amount=value",
            "--map", "is_fraud=label", "--skip-bad-rows");

        Assert.True(code == 0, error);
        Assert.Contains("skipped 1 bad row:\n  export.csv:302:3: column 'when'", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("trained", output, StringComparison.Ordinal);
    }

    /// <summary><c>fraud train</c> on <paramref name="path"/> into this test's directory.</summary>
    private Task<(int ExitCode, string Output, string Error)> TrainAsync(string path, params string[] more) =>
        CliRunner.Run(["train", "--data", path, "--out", Path.Combine(_directory, "m.zip"), .. more]);

    private static List<string> Rows(int count)
    {
        var lines = new List<string> { "transaction_id,account_id,timestamp,amount,is_fraud" };
        for (var i = 0; i < count; i++)
        {
            lines.Add($"t{i},a{i % 10},2026-01-01T{i / 60 % 24:00}:{i % 60:00}:00Z,{10 + i % 7},{(i % 40 == 0 ? 1 : 0)}");
        }

        return lines;
    }

    /// <summary>A .csv.gz cut short is a damaged file, not a bad last row: refused whole, whatever the options.</summary>
    [Fact]
    public async Task ATruncatedGzipIsAnErrorOfTheFileEvenWithSkipBadRows()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(string.Join('\n', Rows(200)) + "\n"));
        }

        var path = Path.Combine(_directory, "cut.csv.gz");
        await File.WriteAllBytesAsync(path, compressed.ToArray()[..(int)(compressed.Length / 2)]);

        foreach (var skip in new[] { false, true })
        {
            var (code, output, error) = await CliRunner.Run(
                ["train", "--data", path, "--out", Path.Combine(_directory, "m.zip"), .. (skip ? new[] { "--skip-bad-rows" } : [])]);

            Assert.True(code == 1, $"exit {code}: {output}{error}");
            Assert.Matches(@"cut\.csv\.gz:\d+:1: the gzip archive is truncated or corrupt \(.+\): reading stopped at line \d+", error);
            Assert.Contains("--skip-bad-rows skips bad rows, not a damaged file", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NdjsonThatIsNotUtf8IsReportedWithFileLineAndByte()
    {
        var path = Path.Combine(_directory, "latin1.ndjson");
        await File.WriteAllBytesAsync(path,
        [
            .. "{\"transactionId\":\"t1\",\"accountId\":\"a1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"amount\":1}\n"u8,
            .. "{\"transactionId\":\"t2\",\"accountId\":\"caf"u8, 0xE9, .. "\",\"timestamp\":\"2026-01-01T00:00:01Z\",\"amount\":1}\n"u8,
        ]);

        var (code, _, error) = await TrainAsync(path);

        Assert.Equal(1, code);
        Assert.Contains("latin1.ndjson:2:39: invalid UTF-8 at line 2, byte 39 (0xE9): the file may be Latin-1, Windows-1252 or UTF-16; save it as UTF-8",
            error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManySkippedRowsAreCountedAndTheFirstTenNamed()
    {
        var lines = Rows(200);
        lines.AddRange(Enumerable.Range(0, 15).Select(i => $"bad{i},a1,never,5,0"));
        var path = Path.Combine(_directory, "many.csv");
        await File.WriteAllLinesAsync(path, lines);

        var (code, output, error) = await TrainAsync(path, "--skip-bad-rows");

        Assert.True(code == 0, error);
        var text = output.ReplaceLineEndings("\n");
        Assert.Contains("skipped 15 bad rows:\n  many.csv:202:3: column 'timestamp'", text, StringComparison.Ordinal);
        Assert.Contains("  many.csv:211:3:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("many.csv:212:", text, StringComparison.Ordinal);
        Assert.Contains("\n  and 5 more\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANulByteIsARowErrorNamedWhereItIsOrSkipped()
    {
        var lines = Rows(200);
        lines[50] = "t49,a9,2026-01-01T00:49:00Z,12\0,0";
        var path = Path.Combine(_directory, "nul.csv");
        await File.WriteAllLinesAsync(path, lines);

        var (code, _, error) = await TrainAsync(path);
        var (skippedCode, skippedOutput, skippedError) = await TrainAsync(path, "--skip-bad-rows");

        Assert.Equal(1, code);
        Assert.Contains("nul.csv:51:4: column 'amount': NUL byte at line 51, character 31: the file may be UTF-16 or binary; save it as UTF-8",
            error, StringComparison.Ordinal);
        Assert.True(skippedCode == 0, skippedError);
        Assert.Contains("skipped 1 bad row:\n  nul.csv:51:4: column 'amount': NUL byte", skippedOutput.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnclosedQuoteIsReportedWhereItOpensAndNeverSkipped()
    {
        var lines = Rows(200);
        lines[5] = "t4,\"a4,2026-01-01T00:04:00Z,14,0";
        var path = Path.Combine(_directory, "quote.csv");
        await File.WriteAllLinesAsync(path, lines);
        var header = Path.Combine(_directory, "header.csv");
        await File.WriteAllLinesAsync(header, ["transaction_id,\"account_id,timestamp,amount", .. Rows(5).Skip(1)]);

        foreach (var args in new[] { new[] { "--data", path }, ["--data", path, "--skip-bad-rows"], ["--data", header, "--skip-bad-rows"] })
        {
            var (code, output, error) = await CliRunner.Run(["train", .. args, "--out", Path.Combine(_directory, "m.zip")]);
            Assert.True(code == 1, $"exit {code}: {output}{error}");
            Assert.Contains(args[1] == path
                ? "quote.csv:6:2: column 'account_id': a quoted field opened at line 6, character 4 is never closed"
                : "header.csv:1:2: a quoted field opened at line 1, character 16 is never closed", error, StringComparison.Ordinal);
            Assert.Contains("--skip-bad-rows skips bad rows, not a damaged file", error, StringComparison.Ordinal);
        }
    }

    /// <summary>What is left of a small file after skipping is too little for RandomizedPca: said so, not a crash.</summary>
    [Fact]
    public async Task TooFewRowsLeftToTrainOnIsAnErrorNotACrash()
    {
        var lines = Rows(9);
        lines[6] = "t5,a5,2026-01-01T00:05:00Z,10,0\0";
        var path = Path.Combine(_directory, "few.csv");
        await File.WriteAllLinesAsync(path, lines);

        var (code, _, error) = await TrainAsync(path, "--skip-bad-rows");

        Assert.Equal(1, code);
        Assert.Contains("fraud train: 8 transactions are too few or too alike to train on", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "backtest", "--data", "x.csv" }, "Option '--train-from' is required")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "simulate", "--out", "x.csv", "--days", "many" }, "--days 'many' must be a whole number")]
    [InlineData(new[] { "simulate", "--out", "x.csv", "--out", "y.csv" }, "Option '--out' expects a single argument but 2 were provided")]
    [InlineData(new[] { "simulate", "--out", "x.csv", "--merchants", "5" }, "merchants must be at least 20")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--map", "amount" }, "'amount' is not field=column")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--label-delay", "soon" }, "--label-delay 'soon' is not a duration")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--label-delay", "40d" }, "--label-delay '40d' must be at most 33 days")]
    [InlineData(new[] { "train", "--data", "x.csv", "--out", "m.zip", "--from", "2026-13-01" }, "--from '2026-13-01' is not a date")]
    [InlineData(new[] { "train", "--data", "no-such-file.csv", "--out", "m.zip" }, "--data 'no-such-file.csv' does not exist")]
    [InlineData(new[] { "run", "--simulate", "0" }, "--simulate '0' must be a number between 1 and 1000000")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "--version", "train" }, "--version option cannot be combined with other arguments")]
    public async Task UsageErrorsSayWhatIsWrong(string[] args, string expected)
    {
        var (code, output, error) = await CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("--help' for", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task APortInUseSaysToChooseAnotherWithUrls()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (code, _, error) = await CliRunner.Run("run", "--urls", $"http://127.0.0.1:{port}", "--ledger", Path.Combine(_directory, "fraud.db"));

        Assert.Equal(1, code);
        Assert.StartsWith($"fraud run: Failed to bind to address http://127.0.0.1:{port}: address already in use.", error, StringComparison.Ordinal);
        Assert.Contains("Choose another address with --urls", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutACommandTheOverviewIsAUsageError()
    {
        var (code, output, _) = await CliRunner.Run();
        Assert.Equal(2, code);
        Assert.Contains("simulate", output, StringComparison.Ordinal);
        Assert.Contains("backtest", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionPrintsTheProgramsVersion()
    {
        var expected = typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var (code, output, error) = await CliRunner.Run("--version");

        Assert.Equal(0, code);
        Assert.Equal(expected, output.Trim());
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public async Task TrainHelpListsEveryOptionWithItsDescription()
    {
        var (code, output, _) = await CliRunner.Run("train", "--help");

        Assert.Equal(0, code);
        var lines = output.Split('\n');
        foreach (var (option, description) in new[]
        {
            ("--data <FILE> (REQUIRED)", "transactions, CSV or NDJSON (.gz too)"),
            ("--map <field=column>", "read a canonical field from the file's own column; repeatable"),
            ("--skip-bad-rows", "skip and count rows that fail validation instead of stopping"),
            ("--reorder-window <DURATION>", "how far out of time order rows may be (default 1h)"),
            ("--from <YYYY-MM-DD>", "first day to train on, inclusive"),
            ("--to <YYYY-MM-DD>", "last day to train on, inclusive"),
            ("--label-delay <DURATION>", "how long after a transaction its label becomes known (default 7d)"),
            ("--out <MODEL.zip> (REQUIRED)", "where to write the model"),
            ("-h, --help", "Show help and usage information"),
        })
        {
            Assert.True(
                lines.Any(line => line.Contains(option, StringComparison.Ordinal) && line.Contains(description, StringComparison.Ordinal)),
                $"no line of `fraud train --help` shows {option} with '{description}':\n{output}");
        }
    }

    [Theory]
    [InlineData("simulate", "--seed <N>")]
    [InlineData("train", "--out <MODEL.zip>")]
    [InlineData("backtest", "--detectors <N>")]
    [InlineData("score", "--model <MODEL.zip>")]
    [InlineData("run", "--simulate <RATE>")]
    public async Task EveryCommandHasHelp(string command, string option)
    {
        foreach (var flag in new[] { "-h", "--help" })
        {
            var (code, output, error) = await CliRunner.Run(command, flag);
            Assert.Equal(0, code);
            Assert.Contains("Usage:", output, StringComparison.Ordinal);
            Assert.Contains(option, output, StringComparison.Ordinal);
            Assert.Equal(string.Empty, error);
        }
    }

    [Fact]
    public async Task BacktestWindowsMustBeInOrder()
    {
        // The file must exist: a missing --data is a parse error, reported before the windows are checked.
        var path = Path.Combine(_directory, "x.csv");
        await File.WriteAllTextAsync(path, "transaction_id,account_id,timestamp,amount,is_fraud\n");
        var (code, _, error) = await CliRunner.Run("backtest", "--data", path, "--train-from", "2026-01-10", "--train-to", "2026-01-05",
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

        // `fraud help COMMAND` is what many people type first.
        var asked = await CliRunner.Run("help", "backtest");
        Assert.Equal(0, asked.ExitCode);
        Assert.Equal(backtest.Output, asked.Output);
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
