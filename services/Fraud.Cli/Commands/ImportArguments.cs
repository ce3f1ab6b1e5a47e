using System.CommandLine;
using Fraud.Cli.CommandLine;
using Fraud.Contracts;
using Fraud.Core.Import;

namespace Fraud.Cli.Commands;

/// <summary>The options every command that reads a transaction file shares, added to that command.</summary>
internal sealed class ImportArguments
{
    private static readonly TimeSpan DefaultReorderWindow = TimeSpan.FromHours(1);

    private readonly Option<string> _data = CliOptions.ExistingFile("--data", "FILE", "transactions, CSV or NDJSON (.gz too)", required: true);

    // Repeated as --map a=x --map b=y (one value per --map, so a stray word after it stays an error).
    // Parsed while the command line is, so a bad spec is a usage error that names it.
    private readonly Option<FieldMap> _map = new("--map")
    {
        Description = "read a canonical field from the file's own column; repeatable",
        HelpName = "field=column",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            try
            {
                return FieldMap.Parse(result.Tokens.Select(t => t.Value));
            }
            catch (ArgumentException e)
            {
                result.AddError($"--map: {e.Message}");
                return null;
            }
        },
    };

    private readonly Option<bool> _skipBadRows = CliOptions.Flag("--skip-bad-rows", "skip and count rows that fail validation instead of stopping");

    private readonly Option<TimeSpan?> _reorderWindow = CliOptions.Duration("--reorder-window", "how far out of time order rows may be (default 1h)");

    public ImportArguments(Command command)
    {
        _map.CompletionSources.Add(CanonicalFields.All.Select(field => field + "=").ToArray());
        command.Options.Add(_data);
        command.Options.Add(_map);
        command.Options.Add(_skipBadRows);
        command.Options.Add(_reorderWindow);
    }

    public TransactionSource Open(ParseResult result, CommandContext context, bool requireLabels)
    {
        var options = new ImportOptions
        {
            Map = result.GetValue(_map) ?? FieldMap.Default,
            SkipBadRows = result.GetValue(_skipBadRows),
            RequireLabels = requireLabels,
        };
        return new TransactionSource(result.GetRequiredValue(_data), options, result.GetValue(_reorderWindow) ?? DefaultReorderWindow, context);
    }
}
