using System.CommandLine;
using System.Globalization;
using Fraud.Cli.CommandLine;
using Fraud.Core.Import;
using Fraud.Core.Simulation;

namespace Fraud.Cli.Commands;

/// <summary><c>fraud simulate</c>: a realistic labelled stream to a CSV file, deterministic for a seed.</summary>
internal sealed class SimulateCommand : Command
{
    private static readonly SimulatorOptions Defaults = new();

    private readonly Option<int> _accounts = CliOptions.Int("--accounts", "number of accounts", Defaults.Accounts, 1, 50_000_000);
    private readonly Option<int> _merchants = CliOptions.Int("--merchants", "number of merchants", Defaults.Merchants, 1, 10_000_000);
    private readonly Option<int> _days = CliOptions.Int("--days", "days of transactions", Defaults.Days, 1, 3650);
    private readonly Option<int> _seed = CliOptions.Int("--seed", "random seed; the same seed gives the same file", Defaults.Seed);
    private readonly Option<DateOnly?> _start = CliOptions.Date("--start", $"first day (default {Defaults.Start:yyyy-MM-dd})");
    private readonly Option<string> _out = CliOptions.Text("--out", "FILE.csv", "where to write", required: true);

    public SimulateCommand(CommandContext context)
        : base("simulate", "write a realistic labelled transaction stream (fraud < 1%, several scenarios) to CSV")
    {
        Options.Add(_accounts);
        Options.Add(_merchants);
        Options.Add(_days);
        Options.Add(_seed);
        Options.Add(_start);
        Options.Add(_out);
        SetAction((result, cancellation) => RunAsync(result, context with { Cancellation = cancellation }));
    }

    private Task<int> RunAsync(ParseResult result, CommandContext context)
    {
        var options = Defaults with
        {
            Accounts = result.GetValue(_accounts),
            Merchants = result.GetValue(_merchants),
            Days = result.GetValue(_days),
            Seed = result.GetValue(_seed),
            Start = result.GetValue(_start) is { } day ? EngineDefaults.StartOf(day) : Defaults.Start,
        };
        // The simulator's own rules (e.g. enough merchants for every kind) are usage errors too. They are
        // checked here, not in a command validator: those run before the options' defaults are applied.
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        var path = result.GetRequiredValue(_out);
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
