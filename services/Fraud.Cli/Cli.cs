using Fraud.Cli.CommandLine;
using Fraud.Cli.Commands;
using Fraud.Core.Import;

namespace Fraud.Cli;

/// <summary>
/// The <c>fraud</c> command. Exit codes: 0 success, 1 failure (bad data, I/O), 2 usage error.
/// Runs in-process so tests drive it exactly as a user does.
/// </summary>
public static class Cli
{
    private static readonly ICommand[] Commands =
    [
        new SimulateCommand(),
        new TrainCommand(),
        new BacktestCommand(),
        new ScoreCommand(),
        new RunCommand(),
    ];

    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        bool interactive = false,
        TimeProvider? time = null,
        CancellationToken cancellation = default)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Overview());
            return args.Count == 0 ? 2 : 0;
        }

        var command = Array.Find(Commands, c => c.Name == args[0]);
        if (command is null)
        {
            error.WriteLine($"fraud: unknown command '{args[0]}'.");
            error.WriteLine(Overview());
            return 2;
        }

        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            output.WriteLine(ArgumentParser.Usage(command.Name, command.Summary, command.Options));
            return 0;
        }

        var context = new CommandContext(output, error, time ?? TimeProvider.System, interactive, cancellation);
        try
        {
            var parsed = ArgumentParser.Parse(command.Name, command.Options, args.Skip(1).ToArray());
            return await command.RunAsync(parsed, context);
        }
        catch (UsageException e)
        {
            error.WriteLine(e.Message);
            error.WriteLine($"Run 'fraud {command.Name} --help' for its options.");
            return 2;
        }
        catch (ImportException e)
        {
            error.WriteLine($"fraud {command.Name}: {e.Message}");
            error.WriteLine("Fix the row, map the column with --map field=column, or pass --skip-bad-rows to skip and count bad rows.");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            error.WriteLine($"fraud {command.Name}: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"fraud {command.Name}: cancelled.");
            return 130;
        }
    }

    private static string Overview()
    {
        var lines = new List<string>
        {
            "fraud: real-time fraud detection — simulate data, train, backtest and score models, run the system.",
            string.Empty,
            "Commands:",
        };
        lines.AddRange(Commands.Select(c => $"  {c.Name,-10} {c.Summary}"));
        lines.Add(string.Empty);
        lines.Add("Run 'fraud COMMAND --help' for a command's options.");
        return string.Join(Environment.NewLine, lines);
    }
}
