using System.CommandLine;
using System.CommandLine.Help;
using Fraud.Cli.CommandLine;
using Fraud.Cli.Commands;
using Fraud.Core.Import;

namespace Fraud.Cli;

/// <summary>
/// The <c>fraud</c> command, parsed and dispatched by System.CommandLine. Exit codes: 0 success,
/// 1 failure (bad data, I/O), 2 usage error, 130 cancelled. Runs in-process so tests drive it
/// exactly as a user does; everything it prints goes to the writers it is given.
/// </summary>
public static class Cli
{
    private const string ProgramName = "fraud";

    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        bool interactive = false,
        TimeProvider? time = null,
        CancellationToken cancellation = default)
    {
        var context = new CommandContext(output, error, time ?? TimeProvider.System, interactive, cancellation);
        var root = CreateRoot(context, wrapHelp: ReferenceEquals(output, Console.Out));

        // `fraud help [COMMAND]` is what many people type first; it means --help.
        var result = root.Parse(args.Count > 0 && args[0] == "help" ? [.. args.Skip(1), "--help"] : args);

        // Parse errors are usage errors (2), written here rather than by the library's ParseErrorAction,
        // which exits with 1 and follows the message with the whole help text.
        if (result.Errors.Count > 0)
        {
            var name = CommandName(result);
            foreach (var parseError in result.Errors)
            {
                error.WriteLine($"{name}: {parseError.Message}");
            }

            error.WriteLine(name == ProgramName ? $"Run '{ProgramName} --help' for the commands." : $"Run '{name} --help' for its options.");
            return 2;
        }

        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Program.cs owns Ctrl+C and cancels `cancellation`, to which each command's token is linked;
            // a null timeout keeps the library from installing a second handler that would end the process.
            ProcessTerminationTimeout = null,
            // Failures become the messages and exit codes below, not the library's stack-trace dump.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await result.InvokeAsync(invocation, cancellation);
        }
        catch (UsageException e)
        {
            error.WriteLine($"{CommandName(result)}: {e.Message}");
            error.WriteLine($"Run '{CommandName(result)} --help' for its options.");
            return 2;
        }
        catch (ImportException e)
        {
            error.WriteLine($"{CommandName(result)}: {e.Message}");
            error.WriteLine(e.IsFileError
                ? "The file cannot be read past this point; --skip-bad-rows skips bad rows, not a damaged file."
                : "Fix the row, map the column with --map field=column, or pass --skip-bad-rows to skip and count bad rows.");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
        {
            error.WriteLine($"{CommandName(result)}: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"{CommandName(result)}: cancelled.");
            return 130;
        }
    }

    private static RootCommand CreateRoot(CommandContext context, bool wrapHelp)
    {
        var root = new RootCommand("real-time fraud detection — simulate data, train, backtest and score models, run the system.")
        {
            new SimulateCommand(context),
            new TrainCommand(context),
            new BacktestCommand(context),
            new ScoreCommand(context),
            new RunCommand(context),
        };

        var help = (HelpAction)root.Options.OfType<HelpOption>().Single().Action!;
        if (!wrapHelp)
        {
            // Help written anywhere but the console (a test's writer, a file) is not wrapped to the console's width.
            help.MaxWidth = int.MaxValue;
        }

        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();

        // `fraud` alone shows the overview, but as a usage error: it was not told what to do.
        root.SetAction(result =>
        {
            help.Invoke(result);
            return 2;
        });
        return root;
    }

    /// <summary>How messages name the command: <c>fraud</c>, or <c>fraud train</c>; the root's own name is the executable's file name.</summary>
    private static string CommandName(ParseResult result) =>
        result.CommandResult.Command is RootCommand ? ProgramName : $"{ProgramName} {result.CommandResult.Command.Name}";
}
