using Fraud.Cli.CommandLine;
using Fraud.Core.Import;

namespace Fraud.Cli.Commands;

/// <summary>The options every command that reads a transaction file shares.</summary>
internal static class ImportArguments
{
    public static readonly OptionSpec Data = new("data", "FILE", "transactions, CSV or NDJSON (.gz too)", Required: true);
    public static readonly OptionSpec Map = new("map", "field=column", "read a canonical field from the file's own column", Repeatable: true);
    public static readonly OptionSpec SkipBadRows = new("skip-bad-rows", null, "skip and count rows that fail validation instead of stopping");
    public static readonly OptionSpec ReorderWindow = new("reorder-window", "DURATION", "how far out of time order rows may be (default 1h)");

    public static IReadOnlyList<OptionSpec> All => [Data, Map, SkipBadRows, ReorderWindow];

    public static ImportOptions Options(ParsedArguments args, bool requireLabels)
    {
        FieldMap map;
        try
        {
            map = FieldMap.Parse(args.All(Map.Name));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--map: {e.Message}");
        }

        return new ImportOptions
        {
            Map = map,
            SkipBadRows = args.Flag(SkipBadRows.Name),
            RequireLabels = requireLabels,
        };
    }

    public static TimeSpan Window(ParsedArguments args) => args.Duration(ReorderWindow.Name, TimeSpan.FromHours(1));
}
