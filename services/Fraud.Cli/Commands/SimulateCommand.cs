using System.Globalization;
using Fraud.Cli.CommandLine;
using Fraud.Core.Import;
using Fraud.Core.Simulation;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud simulate</c>: a realistic labelled stream to a CSV file, deterministic for a seed.</summary>
internal sealed class SimulateCommand : ICommand
{
    public string Name => "simulate";

    public string Summary => "write a realistic labelled transaction stream (fraud < 1%, several scenarios) to CSV";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("accounts", "N", "number of accounts (default 5000)"),
        new("merchants", "N", "number of merchants (default 1000)"),
        new("days", "N", "days of transactions (default 30)"),
        new("seed", "S", "random seed; the same seed gives the same file (default 42)"),
        new("start", "DATE", "first day, YYYY-MM-DD (default 2026-01-01)"),
        new("out", "FILE.csv", "where to write", Required: true),
    ];

    public Task<int> RunAsync(ParsedArguments args, CommandContext context)
    {
        var defaults = new SimulatorOptions();
        var start = args.Date("start") is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : defaults.Start;
        var options = defaults with
        {
            Accounts = args.Int("accounts", defaults.Accounts, 1, 50_000_000),
            Merchants = args.Int("merchants", defaults.Merchants, 1, 10_000_000),
            Days = args.Int("days", defaults.Days, 1, 3650),
            Seed = args.Int("seed", defaults.Seed),
            Start = start,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"fraud simulate: {e.Message}");
        }

        var path = args.RequiredString("out");
        var progress = new Progress(context.Error, context.Interactive);
        long rows = 0, frauds = 0;
        var scenarios = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using (var writer = CsvOutput.Create(path))
        {
            var csv = new TransactionCsvWriter(writer, includeLabels: true);
            foreach (var row in new TransactionSimulator(options).Generate())
            {
                context.Cancellation.ThrowIfCancellationRequested();
                csv.Write(row);
                rows++;
                if (row.IsFraud == true)
                {
                    frauds++;
                    var scenario = row.Scenario ?? "unknown";
                    scenarios[scenario] = scenarios.GetValueOrDefault(scenario) + 1;
                }

                if ((rows & 0xFFFF) == 0)
                {
                    progress.Report(rows, row.Transaction.Timestamp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }
            }
        }

        progress.Done();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {rows:N0} transactions to {path}: {frauds:N0} frauds ({(rows == 0 ? 0 : frauds / (double)rows):P2})"));
        foreach (var (scenario, count) in scenarios)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {scenario,-22} {count,8:N0}"));
        }

        return Task.FromResult(0);
    }
}
